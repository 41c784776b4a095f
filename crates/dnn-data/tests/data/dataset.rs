//! The `Dataset` readers on data the tests make: course HDF5 sets of any size and class
//! count, image folders, CSV tables and `.npz` archives; the class order, the split, the
//! standardisation; and every bad input named in one line.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{detect_format, load, LoadOptions};
use dnn_data::{ClassChoice, DataError, Dataset, Format, Input};
use ndarray::{Array1, Array2, Array3, Array4};
use ndarray_npy::NpzWriter;

fn write_csv(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).expect("write csv");
    path.to_path_buf()
}

fn load_err(path: &Path, options: &LoadOptions) -> String {
    match load(path, options) {
        Ok(d) => panic!("{} loaded: {:?}", path.display(), d.source),
        Err(e) => e.to_string(),
    }
}

fn opts() -> LoadOptions {
    LoadOptions::default()
}

/// Asserts that the error `err` of case `name` is one line that says each of `says`.
fn says_in_one_line(name: &str, err: &str, says: &[&str]) {
    assert!(!err.contains('\n'), "{name}: one line: {err}");
    for s in says {
        assert!(err.contains(s), "{name}: {err:?} should say {s:?}");
    }
}

/// Asserts that every feature (row) of `x` has mean 0 and variance 1, to 1e-12.
fn assert_standardised(x: &Array2<f64>) {
    for row in x.rows() {
        let mean = row.mean().unwrap();
        let var = row.mapv(|v| (v - mean) * (v - mean)).mean().unwrap();
        assert!(
            mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12,
            "{mean} {var}"
        );
    }
}

/// A table of `n` rows: two features and a string label that depends on them.
fn iris_like(n: usize) -> String {
    let mut s = String::from("sepal, petal ,species\n");
    for i in 0..n {
        let class = ["setosa", "versicolor", "virginica"][i % 3];
        s.push_str(&format!("{}.5,{},{class}\n", i % 7, (i % 3) * 10 + i % 2));
    }
    s
}

#[test]
fn a_csv_table_has_sorted_string_classes_a_stratified_split_and_named_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(&dir.path().join("t.csv"), &iris_like(30));
    assert_eq!(detect_format(&path).unwrap(), Format::Csv);
    let data = load(&path, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["setosa", "versicolor", "virginica"]);
    assert_eq!(
        data.spec.input,
        Input::Table {
            columns: vec!["sepal".into(), "petal".into()],
            target: "species".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: vec![],
        }
    );
    // 10 per class; floor(0.2 * 10 + 0.5) = 2 of each go to the test part.
    assert_eq!((data.train_len(), data.test_len()), (24, 6));
    for c in 0..3 {
        assert_eq!(data.test_labels.iter().filter(|&&l| l == c).count(), 2);
    }
    assert_eq!(data.train_x.dim(), (2, 24));
    assert!(data.standardize_by_default());
    // Every column is a row of the source: petal = class * 10 + row % 2.
    for (j, &l) in data.train_labels.iter().enumerate() {
        let petal = data.train_x[[1, j]];
        assert_eq!((petal / 10.0).floor() as usize, l);
    }
    let split = data.source.split.unwrap();
    assert_eq!((split.fraction, split.seed), (0.2, 0));
    // The training part's range of each input, as the network sees it (here unscaled).
    let ranges = data
        .spec
        .ranges
        .as_ref()
        .expect("a table records its ranges");
    for (i, row) in data.train_x.rows().into_iter().enumerate() {
        let lo = row.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((ranges.min[i], ranges.max[i]), (lo, hi));
    }
    // Standardised, the ranges are the z-scores'.
    let z = load(
        &path,
        &LoadOptions {
            zscore: dnn_data::ZScore::On,
            ..opts()
        },
    )
    .unwrap();
    let lo = z
        .train_x
        .row(0)
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    assert_eq!(z.spec.ranges.unwrap().min[0], lo);
    assert!(lo < 0.0, "{lo}");
}

#[test]
fn a_repeated_column_name_or_listed_class_is_named_with_its_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(
        &dir.path().join("t.csv"),
        "a,b,c,b,label\n1,2,3,4,x\n5,6,7,8,y\n1,2,3,4,x\n5,6,7,8,y\n1,1,1,1,x\n",
    );
    let msg = load(&path, &opts()).unwrap_err().to_string();
    assert!(
        msg.contains("the column name `b` appears twice (columns 2 and 4)"),
        "{msg}"
    );
    let path = write_csv(
        &dir.path().join("u.csv"),
        "a,label\n1,x\n2,y\n3,x\n4,y\n5,x\n",
    );
    let twice = LoadOptions {
        classes: ClassChoice::Exactly(vec!["x".into(), "y".into(), "x".into()]),
        ..opts()
    };
    let msg = load(&path, &twice).unwrap_err().to_string();
    assert!(
        msg.contains("the class `x` is listed twice in x,y,x"),
        "{msg}"
    );
}

/// A label column of values that are not classes (here 100,000 of them, five examples each)
/// makes label matrices of 100,000 x 500,000 numbers (400 GB): refused when the table is
/// loaded, not when training builds them.
#[test]
fn a_table_whose_label_matrices_cannot_fit_in_memory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(8 << 20);
    text.push_str("a,price\n");
    for i in 0..500_000 {
        text.push_str(&format!("{},{}\n", i % 7, i % 100_000));
    }
    let path = write_csv(&dir.path().join("prices.csv"), &text);
    let classify = LoadOptions {
        task: dnn_data::Task::Classify,
        ..opts()
    };
    let err = load_err(&path, &classify);
    assert!(
        err.contains("its 100000 classes over 500000 examples make label matrices of 100000 x 500000 numbers, more than this machine can hold"),
        "{err}"
    );
}

#[test]
fn integer_labels_sort_as_numbers_and_classes_can_be_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("a,b,label\n");
    for i in 0..20 {
        text.push_str(&format!("{i},{},{}\n", i * 2, [10, 2, 1][i % 3]));
    }
    let path = write_csv(&dir.path().join("t.csv"), &text);
    let data = load(&path, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["1", "2", "10"]);
    let o = LoadOptions {
        classes: ClassChoice::Exactly(vec!["10".into(), "1".into(), "2".into()]),
        target: Some("label".into()),
        ..opts()
    };
    let data2 = load(&path, &o).unwrap();
    assert_eq!(data2.spec.classes, ["10", "1", "2"]);
    // Each example keeps its label under either order (column `a` is the row number). The
    // examples on each side differ: the split is stratified by class index.
    for d in [&data, &data2] {
        let names: Vec<&str> = d
            .train_labels
            .iter()
            .map(|&l| d.spec.classes[l].as_str())
            .collect();
        let rows: Vec<usize> = (0..d.train_len())
            .map(|j| d.train_x[[0, j]] as usize)
            .collect();
        let want: Vec<String> = rows.iter().map(|i| [10, 2, 1][i % 3].to_string()).collect();
        assert_eq!(names, want, "classes {:?}, rows {rows:?}", d.spec.classes);
    }
    // A different target: `a` has 20 distinct values.
    let by_a = load(
        &path,
        &LoadOptions {
            target: Some("a".into()),
            test_split: 0.5,
            ..opts()
        },
    );
    assert!(
        by_a.is_err(),
        "20 classes of one example each cannot be split"
    );
}

#[test]
fn bad_csv_files_are_named_with_their_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, &str, LoadOptions, &[&str])> = vec![
        (
            "ragged.csv",
            "x,y,label\n1,2,a\n3,4\n5,6,b\n",
            opts(),
            &[
                "ragged.csv",
                "row 2 (line 3) has 2 fields but the header has 3",
            ],
        ),
        (
            "word.csv",
            "x,y,label\n1,2,a\n3,four,b\n",
            opts(),
            &[
                "word.csv",
                "row 2 (line 3), column `y`",
                "`four` is not a number",
            ],
        ),
        (
            "empty_cell.csv",
            "x,y,label\n1,2,a\n3, ,b\n",
            opts(),
            &["row 2 (line 3), column `y`", "empty"],
        ),
        (
            "infinite.csv",
            "x,y,label\n1,inf,a\n3,4,b\n",
            opts(),
            &["row 1 (line 2), column `y`", "not a finite number"],
        ),
        (
            "target.csv",
            "x,y,label\n1,2,a\n3,4,b\n",
            LoadOptions {
                target: Some("class".into()),
                ..opts()
            },
            &["no column `class`", "the columns are: x, y, label"],
        ),
        (
            "single.csv",
            "x,y,label\n1,2,a\n3,4,a\n",
            opts(),
            &["single.csv", "every training example is of class `a`"],
        ),
        ("empty.csv", "", opts(), &["empty.csv", "the file is empty"]),
        (
            "header_only.csv",
            "x,y,label\n",
            opts(),
            &["header_only.csv", "no data rows"],
        ),
        (
            "classes.csv",
            "x,label\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n",
            LoadOptions {
                classes: ClassChoice::Exactly(vec!["a".into(), "c".into()]),
                ..opts()
            },
            &["classes.csv", "the class `b`", "does not list"],
        ),
        (
            "classes_extra.csv",
            "x,label\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n",
            LoadOptions {
                classes: ClassChoice::Exactly(vec!["a".into(), "b".into(), "c".into()]),
                ..opts()
            },
            &["--classes lists `c`", "its classes: a, b"],
        ),
        (
            "split.csv",
            "x,label\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n",
            LoadOptions {
                test_split: 1.0,
                ..opts()
            },
            &["split.csv", "a test split of 1 is not usable"],
        ),
        (
            "trailing_comma.csv",
            "x,y,label,\n1,2,a,\n3,4,b,\n",
            opts(),
            &[
                "column 4 of 4 has no name",
                "a comma at the end of every line",
            ],
        ),
        (
            "pandas_index.csv",
            ",x,label\n3,1,a\n7,2,b\n",
            opts(),
            &[
                "column 1 of 3 has no name",
                "index=False",
                "row.names = FALSE",
            ],
        ),
        (
            "open_quote_label.csv",
            "x,label\n1,a\n2,\"b\n3,c\n4,d\n",
            opts(),
            &[
                "row 2 (line 3), column `label`",
                "runs over 3 lines (`b⏎3,c⏎4,d`)",
                "never closed",
            ],
        ),
        (
            "open_quote_feature.csv",
            "x,y,label\n1,2,a\n\"3,4,b\n5,6,c\n",
            opts(),
            &[
                "row 2 (line 3), column `x`",
                "runs over 3 lines",
                "never closed",
            ],
        ),
        (
            "one_number_two_ways.csv",
            "x,label\n1,1\n2,0\n3,1.0\n4,0\n",
            opts(),
            &[
                "the labels `1` (row 1) and `1.0` (row 3) of column `label`",
                "one number written two ways",
            ],
        ),
        (
            "missing_label.csv",
            "x,label\n1,1\n2,0\n3,NA\n4,1\n",
            opts(),
            &[
                "row 3 (line 4), column `label`",
                "`NA` marks a missing value",
            ],
        ),
        (
            "semicolons_and_commas.csv",
            "x;y;label\n1,5;2;a\n",
            opts(),
            &[
                "`1,5` is a number written with a decimal comma",
                "--decimal-comma",
            ],
        ),
        (
            "one_column.csv",
            "x|y|label\n1|2|a\n",
            opts(),
            &[
                "the only column is the target `x|y|label`",
                "separated by commas, or by semicolons or tabs",
            ],
        ),
    ];
    for (name, text, o, says) in cases {
        let path = write_csv(&d.join(name), text);
        let err = load_err(&path, &o);
        says_in_one_line(name, &err, says);
    }
}

#[test]
fn csv_text_that_is_not_utf8_is_refused_by_line_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "x,label\n1,a\n2,b\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let cases: [(&str, Vec<u8>, &[&str]); 3] = [
        (
            "latin1_label.csv",
            b"x,label\n1,caf\xe9\n2,caf\xe8\n3,b\n".to_vec(),
            &["row 1 (line 2), column `label`", "is not UTF-8 text"],
        ),
        (
            "latin1_header.csv",
            b"x,caf\xe9\n1,a\n2,b\n".to_vec(),
            &["column 2 of the header is not UTF-8 text", "Latin-1"],
        ),
        (
            "utf16.csv",
            utf16,
            &["the header is not UTF-8 text", "UTF-16"],
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = load_err(&path, &opts());
        says_in_one_line(name, &err, says);
    }
}

/// A properly quoted cell over two lines, as Python's `csv.writer` writes `'two\nlines'`, is one
/// text value; a quote left open still fails by the row it leaves short.
#[test]
fn a_quoted_text_cell_may_run_over_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,note,label\r\n");
    for j in 0..20 {
        let note = if j % 2 == 0 {
            "\"two\r\nlines\""
        } else {
            "one"
        };
        text.push_str(&format!("{j},{note},{}\r\n", ["a", "b"][j % 2]));
    }
    let data = load(write_csv(&dir.path().join("notes.csv"), &text), &opts()).unwrap();
    let Input::Table { one_hot, .. } = &data.spec.input else {
        unreachable!()
    };
    assert_eq!(one_hot[0].values, ["one", "two\r\nlines"]);
    assert_eq!(data.train_len() + data.test_len(), 20);
    // A quote never closed can swallow whole rows and still leave its row full: in the last
    // column (to the end of the file), or up to a later quote. Lines inside a cell that look
    // like rows tell it.
    let mut tail = String::from("label,x,note\n");
    let mut middle = String::from("x,note,label\n");
    for j in 0..12 {
        let class = ["a", "b"][j % 2];
        tail.push_str(&format!(
            "{class},{j},{}\n",
            if j == 3 { "\"open" } else { "ok" }
        ));
        middle.push_str(&format!(
            "{j},{},{class}\n",
            match j {
                3 => "\"open",
                6 => "\"c\"",
                _ => "ok",
            }
        ));
    }
    for (name, text) in [("tail.csv", tail), ("middle.csv", middle)] {
        let options = LoadOptions {
            target: Some("label".into()),
            ..opts()
        };
        let err = load_err(&write_csv(&dir.path().join(name), &text), &options);
        assert!(
            err.contains("is a quote (\") opened in it never closed?"),
            "{name}: {err}"
        );
    }
}

#[test]
fn semicolon_and_tab_separated_tables_load_as_comma_separated_ones() {
    let dir = tempfile::tempdir().unwrap();
    let commas = iris_like(30);
    let want = load(write_csv(&dir.path().join("c.csv"), &commas), &opts()).unwrap();
    for (name, separator) in [("s.csv", ";"), ("t.csv", "\t")] {
        let text = commas.replace(',', separator);
        let got = load(write_csv(&dir.path().join(name), &text), &opts()).unwrap();
        assert_eq!(got.train_x, want.train_x, "{name}");
        assert_eq!(got.test_labels, want.test_labels, "{name}");
        assert_eq!(got.spec, want.spec, "{name}");
    }
}

/// A comma inside a quoted name is not a separator; a `.tsv` file is tab-separated whatever
/// its header holds; Excel's `sep=;` line names the separator, and the lines after it keep
/// their numbers in messages.
#[test]
fn the_separator_is_told_by_unquoted_cells_the_tsv_name_and_excels_sep_line() {
    let dir = tempfile::tempdir().unwrap();
    let commas = "\"weight, kg\",height,label\n".to_owned()
        + &iris_like(30).replacen("sepal, petal ,species\n", "", 1);
    let want = load(write_csv(&dir.path().join("c.csv"), &commas), &opts()).unwrap();
    let columns = |d: &dnn_data::Dataset| match &d.spec.input {
        Input::Table { columns, .. } => columns.clone(),
        Input::Picture { .. } => unreachable!(),
    };
    assert_eq!(columns(&want), ["weight, kg", "height"]);
    let semicolons = commas.replace(",h", ";h").replace(",l", ";l");
    let semicolons: String = semicolons
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.to_owned() } else { l.replace(',', ";") } + "\n")
        .collect();
    // Unquoted, as tab-separated files mostly are: a comma in a `.tsv` header is text.
    let tabs = semicolons
        .replace(';', "\t")
        .replacen("\"weight, kg\"", "weight, kg", 1);
    let excel = format!("\u{FEFF}sep=;\r\n{}", semicolons.replace('\n', "\r\n"));
    for (name, text) in [("s.csv", &semicolons), ("t.tsv", &tabs), ("e.csv", &excel)] {
        let got = load(write_csv(&dir.path().join(name), text), &opts()).unwrap();
        assert_eq!(got.train_x, want.train_x, "{name}");
        assert_eq!(got.test_labels, want.test_labels, "{name}");
        assert_eq!(got.spec, want.spec, "{name}");
    }
    // The command line splits `--drop 'weight, kg'` at its comma: the pieces name the column
    // again, spaces trimmed as the header's are; and advice quotes such a name for the shell.
    let dropped = load(
        dir.path().join("c.csv"),
        &LoadOptions {
            drop_columns: vec!["weight".into(), " kg".into()],
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(columns(&dropped), ["height"]);
    let dropped = load(
        dir.path().join("c.csv"),
        &LoadOptions {
            drop_columns: vec![" height ".into()],
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(columns(&dropped), ["weight, kg"]);
    let text_cell = commas.replacen("2.5,", "heavy,", 1);
    let err = load_err(&write_csv(&dir.path().join("x.csv"), &text_cell), &opts());
    assert!(
        err.contains("or leave the column out with --drop 'weight, kg'"),
        "{err}"
    );
    // Row 3 is line 5 of the file, after `sep=;` and the header.
    let broken = excel.replacen("2.5;", "2.5x;", 1);
    let err = load_err(&write_csv(&dir.path().join("b.csv"), &broken), &opts());
    assert!(err.contains("(line 5)"), "{err}");
}

#[test]
fn names_longer_than_a_model_file_keeps_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(257);
    let rows = |label: &str| format!("1,{label}\n2,b\n3,{label}\n4,b\n5,{label}\n6,b\n");
    let class = write_csv(
        &dir.path().join("class.csv"),
        &format!("f,label\n{}", rows(&long)),
    );
    let err = load_err(&class, &opts());
    assert!(
        err.contains("the class name `xxxx") && err.contains("is 257 bytes long"),
        "{err}"
    );
    let column = write_csv(
        &dir.path().join("column.csv"),
        &format!("{long},label\n{}", rows("a")),
    );
    let err = load_err(&column, &opts());
    assert!(
        err.contains("the column name") && err.contains("at most 256 bytes"),
        "{err}"
    );
    // A text value names its column.
    let value = write_csv(
        &dir.path().join("value.csv"),
        &format!("f,colour,label\n1,{long},a\n2,red,b\n3,red,a\n4,red,b\n5,red,a\n6,red,b\n"),
    );
    let err = load_err(&value, &opts());
    assert!(
        err.contains("the text column `colour`'s value name `xxxx")
            && err.contains("257 bytes long"),
        "{err}"
    );
    // 256 bytes fit, and the model file keeps them.
    let fits = "y".repeat(256);
    let ok = write_csv(
        &dir.path().join("fits.csv"),
        &format!("f,label\n{}", rows(&fits)),
    );
    assert!(load(&ok, &opts()).unwrap().spec.classes.contains(&fits));
}

#[test]
fn features_too_large_to_square_are_standardised_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("small,huge,label\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{},{}e300,{}\n",
            i % 5,
            1 + i % 7,
            ["a", "b"][i % 2]
        ));
    }
    let mut data = load(write_csv(&dir.path().join("huge.csv"), &text), &opts()).unwrap();
    data.standardize();
    assert_standardised(&data.train_x);
}

/// `m` PNG pictures of `side`x`side` per class under `dir/<class>/`.
fn picture_folder(dir: &Path, classes: &[&str], m: usize, side: u32) {
    for (k, class) in classes.iter().enumerate() {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for j in 0..m {
            let img = image::RgbImage::from_fn(side, side, |x, y| {
                image::Rgb([(k * 80) as u8, (x * 7 + y) as u8, (j * 13) as u8])
            });
            img.save(dir.join(class).join(format!("{j:03}.png")))
                .unwrap();
        }
    }
}

#[test]
fn an_image_folder_reads_sorted_classes_and_pixels_exactly_as_the_cat_set() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pets");
    picture_folder(&root, &["dog", "cat", "bird"], 5, 8);
    std::fs::write(root.join("cat").join("notes.txt"), "not a picture").unwrap();
    std::fs::write(root.join("dog").join(".DS_Store"), "junk").unwrap();
    assert_eq!(detect_format(&root).unwrap(), Format::ImageFolder);
    let data = load(
        &root,
        &LoadOptions {
            picture_size: (8, 8),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(data.spec.classes, ["bird", "cat", "dog"]);
    // notes.txt; .DS_Store is hidden, skipped without being counted.
    assert_eq!(data.source.skipped_files, 1);
    assert_eq!(
        data.spec.input,
        Input::Picture {
            height: 8,
            width: 8,
            channels: 3
        }
    );
    assert!(!data.standardize_by_default());
    // 5 per class: floor(0.2 * 5 + 0.5) = 1 of each to the test part.
    assert_eq!((data.train_len(), data.test_len()), (12, 3));
    // Columns are the pictures flattened as numpy's reshape(m, -1).T / 255.
    let images = data.train_images.as_ref().unwrap();
    for j in 0..data.train_len() {
        for (i, &v) in images
            .index_axis(ndarray::Axis(0), j)
            .iter()
            .enumerate()
            .take(50)
        {
            assert_eq!(data.train_x[[i, j]], f64::from(v) / 255.0);
        }
        // Red is the folder's place in the list it was made from: dog 0, cat 80, bird 160.
        assert_eq!(
            images[[j, 0, 0, 0]] as usize,
            (2 - data.train_labels[j]) * 80
        );
    }
}

#[test]
fn an_image_folder_with_train_and_test_parts_is_not_split_and_resizes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("set");
    picture_folder(&root.join("train"), &["a", "b"], 3, 20);
    picture_folder(&root.join("test"), &["a", "b"], 2, 12);
    let data = load(
        &root,
        &LoadOptions {
            picture_size: (6, 6),
            classes: ClassChoice::Exactly(vec!["b".into(), "a".into()]),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(data.source.split, None);
    assert_eq!(data.spec.classes, ["b", "a"]);
    assert_eq!((data.train_len(), data.test_len()), (6, 4));
    assert_eq!(data.train_labels, [1, 1, 1, 0, 0, 0]);
    assert_eq!(data.train_x.nrows(), 6 * 6 * 3);
}

#[test]
fn bad_image_folders_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No class subfolders.
    std::fs::create_dir_all(d.join("flat")).unwrap();
    image::RgbImage::new(4, 4)
        .save(d.join("flat").join("a.png"))
        .unwrap();
    let err = load_err(&d.join("flat"), &opts());
    assert!(err.contains("no class subfolders"), "{err}");
    // One class only.
    picture_folder(&d.join("one"), &["cat"], 4, 4);
    let err = load_err(&d.join("one"), &opts());
    assert!(
        err.contains("every training example is of class `cat`"),
        "{err}"
    );
    // A damaged picture names its file.
    picture_folder(&d.join("damaged"), &["a", "b"], 4, 4);
    let bad = d.join("damaged").join("b").join("002.png");
    let mut bytes = std::fs::read(&bad).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&bad, bytes).unwrap();
    let err = load_err(&d.join("damaged"), &opts());
    assert!(err.contains("b/002.png"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    // --classes that do not match.
    picture_folder(&d.join("two"), &["a", "b"], 4, 4);
    let err = load_err(
        &d.join("two"),
        &LoadOptions {
            classes: ClassChoice::Exactly(vec!["a".into(), "b".into(), "c".into()]),
            ..opts()
        },
    );
    assert!(err.contains("--classes lists `c`"), "{err}");
}

/// A folder of two training and two test files, and no class folders, is a course set
/// gone wrong, not an image folder without class folders: loading it names the files.
#[test]
fn a_folder_of_course_files_but_not_one_pair_is_read_as_a_course_set() {
    let dir = tempfile::tempdir().unwrap();
    let x = Array4::<u8>::zeros((2, 2, 2, 3));
    let y = Array1::from(vec![0i64, 1]);
    for name in ["train_a.h5", "train_b.h5", "test_a.h5", "test_b.h5"] {
        let prefix = if name.starts_with("train") {
            "train"
        } else {
            "test"
        };
        write_course_file(&dir.path().join(name), prefix, &x, &y, &[0, 1]);
    }
    assert_eq!(detect_format(dir.path()).unwrap(), Format::CourseH5);
    let err = load_err(dir.path(), &opts());
    assert!(
        err.contains("exactly one train_*.h5 and one test_*.h5 file; it has train files: train_a.h5, train_b.h5; test files: test_a.h5, test_b.h5"),
        "{err}"
    );
    // With a folder in it, it is an image folder, whose stray files are skipped.
    std::fs::create_dir(dir.path().join("cats")).unwrap();
    assert_eq!(detect_format(dir.path()).unwrap(), Format::ImageFolder);
}

pub(crate) fn write_course_file(
    path: &Path,
    prefix: &str,
    x: &Array4<u8>,
    y: &Array1<i64>,
    classes: &[i64],
) {
    let f = hdf5::File::create(path).unwrap();
    f.new_dataset_builder()
        .with_data(x)
        .create(format!("{prefix}_set_x").as_str())
        .unwrap();
    // (1, m), as some course files store it.
    let y2 = y.clone().insert_axis(ndarray::Axis(0));
    f.new_dataset_builder()
        .with_data(&y2)
        .create(format!("{prefix}_set_y").as_str())
        .unwrap();
    f.new_dataset_builder()
        .with_data(&Array1::from(classes.to_vec()))
        .create("list_classes")
        .unwrap();
}

#[test]
fn a_course_set_of_any_size_and_six_integer_classes_loads() {
    let dir = tempfile::tempdir().unwrap();
    let x = Array4::from_shape_fn((12, 5, 7, 3), |(j, r, c, ch)| {
        (j * 20 + r * 3 + c + ch) as u8
    });
    let y = Array1::from_shape_fn(12, |j| (j % 6) as i64);
    write_course_file(
        &dir.path().join("train_signs.h5"),
        "train",
        &x,
        &y,
        &[0, 1, 2, 3, 4, 5],
    );
    let xt = x.slice(ndarray::s![..6, .., .., ..]).to_owned();
    let yt = Array1::from_shape_fn(6, |j| j as i64);
    write_course_file(
        &dir.path().join("test_signs.h5"),
        "test",
        &xt,
        &yt,
        &[0, 1, 2, 3, 4, 5],
    );
    assert_eq!(detect_format(dir.path()).unwrap(), Format::CourseH5);
    let data = load(dir.path(), &opts()).unwrap();
    assert_eq!(data.spec.classes, ["0", "1", "2", "3", "4", "5"]);
    assert_eq!(data.outputs(), 6);
    assert_eq!(data.train_x.dim(), (5 * 7 * 3, 12));
    assert_eq!(
        data.train_labels,
        y.iter().map(|&v| v as usize).collect::<Vec<_>>()
    );
    assert_eq!(
        data.train_x[[(2 * 7 + 3) * 3 + 1, 4]],
        f64::from(x[[4, 2, 3, 1]]) / 255.0
    );
    assert_eq!(data.test_y::<f64>().dim(), (6, 6));
}

#[test]
fn the_cat_set_reads_bit_for_bit_as_the_cat_loader_reads_it() {
    let dir = dnn_data::locate_data_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .unwrap_or_else(|e| panic!("{e}"));
    let data = load(&dir, &opts()).unwrap();
    let cat = dnn_data::CatDataset::<f64>::load(&dir).unwrap();
    assert_eq!(data.source.format, Format::CourseH5);
    assert_eq!(data.spec.classes, cat.classes);
    // Both example-major, the layout mini-batches are gathered from.
    assert!(data.train_x.t().is_standard_layout());
    assert!(cat.train_x.t().is_standard_layout());
    assert_eq!(data.train_x, cat.train_x);
    assert_eq!(data.test_x, cat.test_x);
    assert_eq!(data.train_y::<f64>(), cat.train_y);
    assert_eq!(data.test_y::<f64>(), cat.test_y);
    assert_eq!(data.train_images.as_ref(), Some(&cat.train_images));
}

pub(crate) fn write_npz(path: &Path, arrays: Vec<(&str, NpzArray)>) {
    let mut w = NpzWriter::new(std::fs::File::create(path).unwrap());
    for (name, a) in arrays {
        match a {
            NpzArray::U8(a) => w.add_array(name, &a).unwrap(),
            NpzArray::F32(a) => w.add_array(name, &a).unwrap(),
            NpzArray::F64(a) => w.add_array(name, &a).unwrap(),
            NpzArray::I64(a) => w.add_array(name, &a).unwrap(),
        }
    }
    w.finish().unwrap();
}

pub(crate) enum NpzArray {
    U8(ndarray::ArrayD<u8>),
    F32(ndarray::ArrayD<f32>),
    F64(ndarray::ArrayD<f64>),
    I64(ndarray::ArrayD<i64>),
}

#[test]
fn an_npz_in_kerass_layout_divides_bytes_by_255_and_keeps_floats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mnist.npz");
    let x = Array3::from_shape_fn((10, 4, 3), |(j, r, c)| (j * 12 + r * 3 + c) as u8);
    let y = Array1::from_shape_fn(10, |j| (j % 3) as u8);
    write_npz(
        &path,
        vec![
            ("x_train", NpzArray::U8(x.clone().into_dyn())),
            ("y_train", NpzArray::U8(y.clone().into_dyn())),
            (
                "x_test",
                NpzArray::U8(x.slice(ndarray::s![..3, .., ..]).to_owned().into_dyn()),
            ),
            (
                "y_test",
                NpzArray::U8(Array1::from(vec![2u8, 1, 0]).into_dyn()),
            ),
        ],
    );
    assert_eq!(detect_format(&path).unwrap(), Format::Npz);
    let data = load(&path, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["0", "1", "2"]);
    assert_eq!(
        data.spec.input,
        Input::Picture {
            height: 4,
            width: 3,
            channels: 1
        }
    );
    assert!(!data.standardize_by_default());
    assert_eq!(data.source.split, None);
    assert_eq!(data.train_x[[7, 5]], f64::from(x[[5, 2, 1]]) / 255.0);
    assert_eq!(data.test_labels, [2, 1, 0]);

    let path = dir.path().join("table.npz");
    let x = Array2::from_shape_fn((20, 3), |(j, i)| (j as f32) * 0.5 - i as f32);
    let y = Array1::from_shape_fn(20, |j| (j % 2) as i64 * 7);
    write_npz(
        &path,
        vec![
            ("x", NpzArray::F32(x.clone().into_dyn())),
            ("y", NpzArray::I64(y.into_dyn())),
        ],
    );
    let data = load(&path, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["0", "7"]);
    assert!(data.standardize_by_default());
    assert_eq!((data.train_len(), data.test_len()), (16, 4));
    assert!(
        matches!(&data.spec.input, Input::Table { columns, .. } if columns == &["x0", "x1", "x2"])
    );
    // Floats as they are: column j of train_x is some row of x.
    let j = 0;
    let row = (0..20)
        .find(|&r| (0..3).all(|i| f64::from(x[[r, i]]) == data.train_x[[i, j]]))
        .is_some();
    assert!(row);

    // A table of bytes is numbers too, as a CSV of its rows would be: not divided by 255
    // (which no model file records, so `dnn predict` on that CSV would not do it).
    let path = dir.path().join("bytes.npz");
    let x = Array2::from_shape_fn((20, 3), |(j, i)| (j * 10 + i) as u8);
    let y = Array1::from_shape_fn(20, |j| (j % 2) as i64);
    write_npz(
        &path,
        vec![
            ("x", NpzArray::U8(x.clone().into_dyn())),
            ("y", NpzArray::I64(y.into_dyn())),
        ],
    );
    let data = load(&path, &opts()).unwrap();
    assert!(matches!(&data.spec.input, Input::Table { .. }));
    assert!(data.standardize_by_default());
    let mut seen: Vec<f64> = data
        .train_x
        .row(1)
        .iter()
        .chain(data.test_x.row(1))
        .copied()
        .collect();
    seen.sort_by(f64::total_cmp);
    let mut column: Vec<f64> = x.column(1).iter().map(|&v| f64::from(v)).collect();
    column.sort_by(f64::total_cmp);
    assert_eq!(seen, column);
}

#[test]
fn bad_npz_files_name_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.npz");
    write_npz(
        &path,
        vec![
            (
                "x_train",
                NpzArray::U8(Array2::<u8>::zeros((4, 2)).into_dyn()),
            ),
            ("y_train", NpzArray::U8(Array1::<u8>::zeros(4).into_dyn())),
            (
                "x_test",
                NpzArray::U8(Array2::<u8>::zeros((4, 2)).into_dyn()),
            ),
        ],
    );
    let err = load_err(&path, &opts());
    assert!(
        err.contains("missing key `y_test`") && err.contains("x_train, y_train, x_test"),
        "{err}"
    );
    let path = dir.path().join("lengths.npz");
    write_npz(
        &path,
        vec![
            ("x", NpzArray::F32(Array2::<f32>::zeros((5, 2)).into_dyn())),
            (
                "y",
                NpzArray::I64(Array1::from(vec![0i64, 1, 0, 1]).into_dyn()),
            ),
        ],
    );
    let err = load_err(&path, &opts());
    assert!(err.contains("x has 5 examples but y has 4 labels"), "{err}");
}

/// An `.npy` header (format 1.0) for `descr` and `shape`, padded as numpy pads it.
fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((dict.len() as u16).to_le_bytes());
    out.extend(dict.as_bytes());
    out
}

/// A header may declare any shape: ndarray-npy allocates it before reading, so a small file
/// declaring 200 million bytes (or 10^12) must be refused first, by name.
#[test]
fn an_npz_array_declaring_more_than_its_file_holds_is_refused_before_reading() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.npz");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("x.npy", stored).unwrap();
    zip.write_all(&npy_header("|u1", "(100000000, 2)")).unwrap();
    zip.write_all(&[7; 8]).unwrap();
    zip.start_file("y.npy", stored).unwrap();
    zip.write_all(&npy_header("<i8", "(4,)")).unwrap();
    zip.write_all(&[0; 32]).unwrap();
    zip.finish().unwrap();
    let file_len = std::fs::metadata(&path).unwrap().len();
    let err = load_err(&path, &opts());
    assert!(
        err.contains(&format!(
            "cannot read `x`: its header declares shape [100000000, 2]; it declares 1600000000 bytes of data but the file has only {file_len}"
        )),
        "{err}"
    );
    // A header of format 2.0 may say it is up to 4 GiB long.
    let path = dir.path().join("long.npz");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("x.npy", stored).unwrap();
    zip.write_all(b"\x93NUMPY\x02\x00").unwrap();
    zip.write_all(&u32::MAX.to_le_bytes()).unwrap();
    zip.write_all(b"{'descr': '|u1'").unwrap();
    zip.start_file("y.npy", stored).unwrap();
    zip.write_all(&npy_header("<i8", "(4,)")).unwrap();
    zip.write_all(&[0; 32]).unwrap();
    zip.finish().unwrap();
    let err = load_err(&path, &opts());
    assert!(
        err.contains("cannot read `x`: its .npy header says it is 4294967295 bytes long"),
        "{err}"
    );
}

#[test]
fn standardisation_is_fitted_on_the_training_part_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(&dir.path().join("t.csv"), &iris_like(30));
    let mut data: Dataset = load(&path, &opts()).unwrap();
    let raw_test = data.test_x.clone();
    data.standardize();
    let z = data.spec.standardization.clone().unwrap();
    assert_standardised(&data.train_x);
    for ((i, j), &v) in raw_test.indexed_iter() {
        assert!(((v - z.mean[i]) / z.std[i] - data.test_x[[i, j]]).abs() < 1e-15);
    }
}

#[test]
fn a_model_file_records_its_classes_input_and_standardisation() {
    use dnn_core::{Activation, Init, Network, NumpyRng};
    use dnn_data::model::{load_model, save_model, save_model_with, TrainingSetup};
    let dir = tempfile::tempdir().unwrap();
    let net = Network::<f64>::builder(&[2, 4, 3])
        .output(Activation::Softmax)
        .init(Init::He)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let spec = dnn_data::DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["setosa".into(), "versicolor".into(), "virginica".into()],
        input: Input::Table {
            columns: vec!["sepal".into(), "pétale".into()],
            target: "espèce".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: vec![],
        },
        standardization: Some(dnn_data::Standardization {
            mean: Array1::from(vec![1.5, -2.0]),
            std: Array1::from(vec![0.5, 3.0]),
        }),
    };
    let path = dir.path().join("m.h5");
    save_model_with(&path, &net, &TrainingSetup::default(), &spec).unwrap();
    let model = load_model(&path).unwrap();
    assert_eq!(model.spec.as_ref(), Some(&spec));
    // A spec that does not fit the network is refused before anything is written.
    let wrong = dnn_data::DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["a".into(), "b".into()],
        ..spec.clone()
    };
    let err = save_model_with(
        dir.path().join("w.h5"),
        &net,
        &TrainingSetup::default(),
        &wrong,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("2 classes do not fit a network with 3 outputs"),
        "{err}"
    );
    assert!(!dir.path().join("w.h5").exists());
    // A file of numpy's (W1, b1 only), of the cat classifier's shape, is the cat classifier;
    // one of dnn's saved without a spec is not, whatever its shape (a library user's
    // [12288, 1] network on their own data came back as "non-cat"/"cat", its ONNX export
    // dividing its inputs by 255).
    let cat = Network::<f64>::builder(&[12288, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let numpys = hdf5::File::create(dir.path().join("numpy.h5")).unwrap();
    for (key, m) in [
        ("W1", cat.layers()[0].weights()),
        ("b1", cat.layers()[0].bias()),
    ] {
        numpys
            .new_dataset_builder()
            .with_data(m)
            .create(key)
            .unwrap();
    }
    drop(numpys);
    let model = load_model(dir.path().join("numpy.h5")).unwrap();
    assert_eq!(model.spec, Some(dnn_data::DataSpec::cat()));
    save_model(dir.path().join("wide.h5"), &cat, &TrainingSetup::default()).unwrap();
    assert_eq!(load_model(dir.path().join("wide.h5")).unwrap().spec, None);
    save_model(dir.path().join("other.h5"), &net, &TrainingSetup::default()).unwrap();
    assert_eq!(load_model(dir.path().join("other.h5")).unwrap().spec, None);
}

#[test]
fn an_unknown_path_says_what_dnn_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data.txt");
    std::fs::write(&p, "x").unwrap();
    let err = detect_format(&p).unwrap_err();
    assert!(matches!(err, DataError::BadSource { .. }));
    assert!(err.to_string().contains("a .csv or a .npz file"), "{err}");
    assert!(
        err.to_string().contains("--format csv|image-csv|npz"),
        "{err}"
    );
}

/// The split against numpy: `tests/reference/gen_split.py` runs the documented algorithm
/// with numpy's `RandomState` (`dnn_split.py`) and records the indices.
#[test]
fn the_stratified_split_equals_numpys_from_its_documented_algorithm() {
    let cases = crate::split_reference::cases("cases");
    assert!(cases.len() >= 6);
    let ints = crate::split_reference::ints;
    for case in &cases {
        let (train, test) = dnn_data::split::stratified(
            &ints(&case["labels"]),
            case["classes"].as_u64().unwrap() as usize,
            case["fraction"].as_f64().unwrap(),
            case["seed"].as_u64().unwrap() as u32,
        )
        .unwrap();
        assert_eq!(train, ints(&case["train"]), "{}: train", case["name"]);
        assert_eq!(test, ints(&case["test"]), "{}: test", case["name"]);
    }
}

/// A price as the label column makes a class per value, each of one example, which the
/// split keeps in training: the error says so rather than "give more examples".
#[test]
fn a_split_left_without_test_examples_by_a_class_per_value_asks_about_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("rooms,area,price\n");
    for j in 0..200 {
        text.push_str(&format!(
            "{},{},{}\n",
            j % 5 + 1,
            40 + j,
            100_000 + 1_000 * j
        ));
    }
    let path = write_csv(&dir.path().join("houses.csv"), &text);
    // By default 200 different prices are a number to predict (`regression::`); as classes:
    let classify = LoadOptions {
        task: dnn_data::Task::Classify,
        ..opts()
    };
    let err = load_err(&path, &classify);
    says_in_one_line(
        "a class per value",
        &err,
        &[
            "houses.csv: a stratified test split of 0.2 of 200 examples leaves no test examples",
            "200 of the 200 classes have a single example",
            "is the label a class, or a measurement or an id? A measurement of numbers to predict is a regression (--task regress); an id is no label",
        ],
    );
    // Two examples a class still make no test part, and say only that.
    let mut text = String::from("x,label\n");
    for j in 0..6 {
        text.push_str(&format!("{j},{}\n", j / 2));
    }
    let path = write_csv(&dir.path().join("pairs.csv"), &text);
    let err = load_err(&path, &opts());
    assert!(
        err.contains("leaves 6 training and 0 test examples; give more examples"),
        "{err}"
    );
}

/// A course set's folder that is not there is "file not found", not a list of its files.
#[test]
fn a_missing_course_folder_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("data");
    let err = load(
        &missing,
        &LoadOptions {
            format: Some(Format::CourseH5),
            ..opts()
        },
    )
    .unwrap_err();
    assert!(matches!(err, DataError::FileNotFound { .. }), "{err:?}");
}

/// A label at or past the class count is refused, not an index out of bounds.
#[test]
fn a_split_of_labels_past_the_class_count_is_an_error() {
    let err = dnn_data::split::stratified(&[0, 1, 5], 2, 0.5, 0).unwrap_err();
    assert_eq!(
        err,
        "example 2 has the label 5, but there are 2 classes (labels 0 to 1)"
    );
}

/// A picture size of 0 would load inputs of no features, refused only later by the
/// network; every picture reader refuses it at once.
#[test]
fn pictures_resized_to_no_pixels_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pets");
    picture_folder(&root, &["cat", "dog"], 5, 8);
    for size in [(0, 0), (0, 8), (8, 0)] {
        let err = load_err(
            &root,
            &LoadOptions {
                picture_size: size,
                ..opts()
            },
        );
        let (h, w) = size;
        says_in_one_line(
            "size 0",
            &err,
            &[&format!(
                "pets: cannot resize pictures to {w}x{h} pixels: each side needs at least 1"
            )],
        );
    }
    let picture = root.join("cat").join("000.png");
    let err = dnn_data::image::load_picture_with::<f64>(&picture, 0, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("000.png: cannot resize pictures to 0x0 pixels"),
        "{err}"
    );
}

/// Cells are parsed in parallel batches of rows; the error is still the first one a reader
/// going row by row meets, with its row and line, also past the first batch. Rows without
/// a label are counted once the whole table is read, so a later bad row comes first.
#[test]
fn the_first_bad_cell_in_reading_order_is_named_whatever_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("a,b,c,label\n");
    for j in 0..5000 {
        match j {
            3000 => text.push_str("1,2,x,y\n"), // row 3001: c is not a number
            3001 => text.push_str("oops,2,3,y\n"), // a later row, an earlier column
            4000 => text.push_str("1,2\n"),     // ragged, later still
            _ => text.push_str(&format!("{j},{},{},{}\n", j % 3, j % 5, j % 2)),
        }
    }
    let path = write_csv(&dir.path().join("big.csv"), &text);
    let err = load_err(&path, &opts());
    assert!(
        err.contains("row 3001 (line 3002), column `c`: `x` is not a number"),
        "{err}"
    );
    let text = text
        .replace("1,2,x,y\n", "1,2,3,y\n")
        .replace("oops,2,3,y\n", "1,2,3,\n");
    let path = write_csv(&dir.path().join("big2.csv"), &text);
    let err = load_err(&path, &opts());
    assert!(
        err.contains("row 4001 (line 4002) has 2 fields but the header has 4"),
        "{err}"
    );
    let path = write_csv(
        &dir.path().join("big3.csv"),
        &text.replace("1,2\n", "1,2,3,\n"),
    );
    let err = load_err(&path, &opts());
    assert!(
        err.contains(
            "row 3002 (line 3003), column `label`: the label is empty, and 1 more row has none \
             (4001)"
        ),
        "{err}"
    );
}
