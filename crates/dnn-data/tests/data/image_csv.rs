//! Image CSVs: a table naming each example's picture file, with its class or a number to
//! predict. Listed in an image folder's order, the pictures make the folder's data set; a
//! number per picture is split as a table's target is; what is missing or listed twice is
//! refused with its row.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{detect_format, load, LoadOptions};
use dnn_data::{DataError, Dataset, Format, Input};
use image::{Rgb, RgbImage};

/// Side of the test pictures; loading at this size keeps every PNG pixel for pixel.
const SIDE: u32 = 6;

fn opts() -> LoadOptions {
    LoadOptions {
        picture_size: (SIDE, SIDE),
        ..LoadOptions::default()
    }
}

/// A PNG at `path` whose every pixel is `(red, green, blue)`.
fn png(path: &Path, rgb: [u8; 3]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    RgbImage::from_pixel(SIDE, SIDE, Rgb(rgb))
        .save(path)
        .unwrap();
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn load_err(path: &Path, options: &LoadOptions) -> String {
    match load(path, options) {
        Ok(d) => panic!("{} loaded: {:?}", path.display(), d.source),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s}");
            s
        }
    }
}

/// Everything two data sets hold but where they came from.
fn assert_same_examples(a: &Dataset, b: &Dataset) {
    assert_eq!(a.train_x, b.train_x);
    assert_eq!(a.test_x, b.test_x);
    assert_eq!(a.train_labels, b.train_labels);
    assert_eq!(a.test_labels, b.test_labels);
    assert_eq!(a.train_values, b.train_values);
    assert_eq!(a.test_values, b.test_values);
    assert_eq!(a.spec, b.spec);
    assert_eq!(a.train_images, b.train_images);
    assert_eq!(a.test_images, b.test_images);
    assert_eq!(a.source.split, b.source.split);
}

#[test]
fn a_csv_listing_a_folders_pictures_in_its_order_makes_the_folders_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("photos");
    let mut rows = String::from("id,file,label\n");
    // The folder's order: classes sorted, pictures sorted within each.
    for (k, class) in ["cat", "dog", "fox"].iter().enumerate() {
        for j in 0..7u8 {
            let name = format!("{class}/{j:02}.png");
            png(&folder.join(&name), [40 * k as u8, 30 * j, 9]);
            rows.push_str(&format!("{},photos/{name},{class}\n", rows.lines().count()));
        }
    }
    let list = write(&dir.path().join("list.csv"), &rows);
    assert_eq!(detect_format(&list).unwrap(), Format::ImageCsv);
    let from_folder = load(&folder, &opts()).unwrap();
    let from_list = load(&list, &opts()).unwrap();
    assert_same_examples(&from_folder, &from_list);
    assert_eq!(from_list.spec.classes, ["cat", "dog", "fox"]);
    assert_eq!(from_list.source.format, Format::ImageCsv);
    assert!(!from_list.source.numeric_inputs);
    let columns = from_list.source.image_csv.as_ref().unwrap();
    assert_eq!(
        (columns.pictures.as_str(), columns.target.as_str()),
        ("file", "label")
    );
    assert_eq!(from_list.source.left_out_columns, [(1, "id".to_owned())]);

    // The SHA-256 covers the pictures it lists, not only the table's text.
    let before = from_list.source.sha256.clone().unwrap();
    png(&folder.join("dog/03.png"), [1, 2, 3]);
    let after = load(&list, &opts()).unwrap().source.sha256.unwrap();
    assert_ne!(before, after);
}

#[test]
fn a_number_per_picture_is_a_regression_split_and_scaled_as_a_tables_target() {
    let dir = tempfile::tempdir().unwrap();
    let (mut listed, mut table) = (String::from("picture,age\n"), String::from("x,age\n"));
    for j in 0..40u8 {
        // The picture's red is its row: each column of the inputs tells its row.
        png(&dir.path().join(format!("faces/{j}.jpg.png")), [j, 0, 0]);
        let age = 20.5 + f64::from(j) * 1.25;
        listed.push_str(&format!("faces/{j}.jpg.png,{age}\n"));
        table.push_str(&format!("{j},{age}\n"));
    }
    let list = write(&dir.path().join("ages.csv"), &listed);
    let rows = write(&dir.path().join("table.csv"), &table);
    let pictures = load(&list, &opts()).unwrap();
    let numbers = load(&rows, &LoadOptions::default()).unwrap();
    assert!(pictures.is_regression());
    assert_eq!(pictures.spec.regression, numbers.spec.regression);
    assert_eq!(pictures.train_values, numbers.train_values);
    assert_eq!(pictures.test_values, numbers.test_values);
    assert_eq!(pictures.source.split, numbers.source.split);
    assert!(pictures.train_labels.is_empty() && pictures.spec.classes.is_empty());
    // Each example's picture is its row's: red j / 255, the row's age 20.5 + 1.25 j.
    for (x, values) in [
        (&pictures.train_x, &pictures.train_values),
        (&pictures.test_x, &pictures.test_values),
    ] {
        for (column, value) in x.columns().into_iter().zip(values.iter()) {
            let row = (column[0] * 255.0).round();
            assert_eq!(column[0], row / 255.0);
            assert_eq!(*value, 20.5 + row * 1.25);
        }
    }
    assert_eq!(
        pictures.spec.input,
        Input::Picture {
            height: SIDE as usize,
            width: SIDE as usize,
            channels: 3
        }
    );
}

#[test]
fn names_are_taken_from_the_tables_folder_and_the_target_from_target_or_the_last_column() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("set");
    let mut rows = String::from("label,file,note\n");
    for j in 0..10u8 {
        png(&sub.join(format!("{j}.PNG")), [j, j, j]);
        rows.push_str(&format!(
            "{},{j}.PNG,n{j}\n",
            ["a", "b"][usize::from(j % 2)]
        ));
    }
    let list = write(&sub.join("list.csv"), &rows);
    // The last column but the pictures is `note`, a name per row: ten classes of one.
    let err = load_err(&list, &opts());
    assert!(err.contains("class"), "{err}");
    let options = LoadOptions {
        target: Some("label".into()),
        ..opts()
    };
    let data = load(&list, &options).unwrap();
    assert_eq!(data.spec.classes, ["a", "b"]);
    assert_eq!(data.source.left_out_columns, [(3, "note".to_owned())]);
}

#[test]
fn a_missing_picture_a_cell_naming_none_and_a_picture_listed_twice_are_refused_with_their_row() {
    let dir = tempfile::tempdir().unwrap();
    for j in 0..4u8 {
        png(&dir.path().join(format!("p{j}.png")), [j, 0, 0]);
    }
    let path = dir.path().join("list.csv");
    let cases = [
        (
            "file,y\np0.png,a\np1.png,b\np9.png,a\n",
            format!(
                "row 3 (line 4), column `file`: no picture at {} (an image CSV's names are taken from its own folder, {})",
                dir.path().join("p9.png").display(),
                dir.path().display()
            ),
        ),
        (
            "file,y\np0.png,a\np1.png,b\np1.png,a\n",
            "row 3 (line 4), column `file`: `p1.png` is the picture of row 2 too; a picture listed twice could land in both the training and the test part: list it once".to_owned(),
        ),
        (
            "file,y\np0.png,a\n,b\np2.png,a\n",
            "row 2 (line 3), column `file`: no picture is named; every row of an image CSV names its picture file: fill it in, or drop the row".to_owned(),
        ),
        (
            "file,y\np0.png,a\np1.gif,b\n",
            "row 2 (line 3), column `file`: `p1.gif` is not a picture's file name; an image CSV names a .png, .jpg or .jpeg file in every row of this column".to_owned(),
        ),
    ];
    for (text, expected) in cases {
        write(&path, text);
        let err = load_err(&path, &opts());
        assert!(err.ends_with(&expected), "{text:?}\n{err}\n{expected}");
    }
}

#[test]
fn format_image_csv_on_a_plain_table_or_with_table_options_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    png(&dir.path().join("a.png"), [1, 2, 3]);
    let plain = write(&dir.path().join("plain.csv"), "x,y\n1,a\n2,b\n");
    assert_eq!(detect_format(&plain).unwrap(), Format::Csv);
    let forced = LoadOptions {
        format: Some(Format::ImageCsv),
        ..opts()
    };
    let err = load_err(&plain, &forced);
    assert!(err.contains("has no column of picture file names"), "{err}");
    assert!(err.contains("--format csv"), "{err}");
    let list = write(&dir.path().join("list.csv"), "file,y\na.png,a\n");
    let dropping = LoadOptions {
        drop_columns: vec!["x".into()],
        ..opts()
    };
    let err = load_err(&list, &dropping);
    assert!(
        err.contains("is read as an image CSV") && err.contains("--drop"),
        "{err}"
    );
    let target = LoadOptions {
        target: Some("file".into()),
        ..opts()
    };
    let err = load_err(&list, &target);
    assert!(
        err.contains("`file` names the pictures and cannot be the label column"),
        "{err}"
    );
    // Read as a table, as asked, the picture names are an id-like text column.
    let as_table = LoadOptions {
        format: Some(Format::Csv),
        ..LoadOptions::default()
    };
    assert!(matches!(
        load(&list, &as_table),
        Err(DataError::SingleClass { .. } | DataError::BadSource { .. })
    ));
}
