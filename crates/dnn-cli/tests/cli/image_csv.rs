//! `dnn train`, `evaluate` and `predict` on an image CSV (a table naming each example's
//! picture file): a number per picture trains as a table of the same pixels does, bit for
//! bit; classes are scored again on the same data; `dnn predict` reads the pictures a CSV
//! lists.

use std::path::Path;

use crate::common::{dnn_in, Run};

/// Side of the pictures: 4x4 RGB, 48 inputs.
const SIDE: u32 = 4;
const EXAMPLES: usize = 40;

/// The bytes of picture `j`: a deterministic mix of its number and the pixel's position.
fn bytes(j: usize) -> Vec<u8> {
    (0..(SIDE * SIDE * 3) as usize)
        .map(|i| ((j * 37 + i * 11 + (i * j) % 7 * 29) % 256) as u8)
        .collect()
}

/// A number to predict from picture `j`: its mean byte over 255, with a fraction.
fn age(j: usize) -> f64 {
    let b = bytes(j);
    let mean = b.iter().map(|&v| f64::from(v)).sum::<f64>() / b.len() as f64;
    (mean / 2.55 * 8.0).round() / 8.0 + 0.125
}

/// `ages.csv` listing `faces/<j>.png` with their ages, and `pixels.csv`, a table of the same
/// pictures' inputs (each byte / 255, written as the shortest decimal that reads back as
/// that f64) with the same ages.
fn write_both(dir: &Path) {
    std::fs::create_dir_all(dir.join("faces")).unwrap();
    let mut listed = String::from("id,file,age\n");
    let header: Vec<String> = (0..SIDE * SIDE * 3).map(|i| format!("p{i}")).collect();
    let mut table = format!("{},age\n", header.join(","));
    for j in 0..EXAMPLES {
        let b = bytes(j);
        image::RgbImage::from_raw(SIDE, SIDE, b.clone())
            .unwrap()
            .save(dir.join(format!("faces/{j}.png")))
            .unwrap();
        listed.push_str(&format!("{j},faces/{j}.png,{}\n", age(j)));
        let inputs: Vec<String> = b
            .iter()
            .map(|&v| (f64::from(v) / 255.0).to_string())
            .collect();
        table.push_str(&format!("{},{}\n", inputs.join(","), age(j)));
    }
    std::fs::write(dir.join("ages.csv"), listed).unwrap();
    std::fs::write(dir.join("pixels.csv"), table).unwrap();
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, Some(0), "{run:?}");
    run
}

/// The lines of `text` that start with one of `prefixes`.
fn lines_starting<'a>(text: &'a str, prefixes: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|l| prefixes.iter().any(|p| l.starts_with(p)))
        .collect()
}

#[test]
fn a_number_per_picture_trains_and_predicts_as_a_table_of_the_same_pixels_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_both(d);
    let common = [
        "--hidden",
        "6",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--iterations",
        "150",
        "--print-every",
        "50",
    ];
    let pictures = ok(dnn_in(
        d,
        &[
            &[
                "train",
                "--data",
                "ages.csv",
                "--image-size",
                "4",
                "--save",
                "ages.h5",
            ],
            &common[..],
        ]
        .concat(),
    ));
    let table = ok(dnn_in(
        d,
        &[
            &[
                "train",
                "--data",
                "pixels.csv",
                "--no-standardize",
                "--save",
                "pixels.h5",
            ],
            &common[..],
        ]
        .concat(),
    ));
    assert!(
        pictures.stdout.starts_with(
            "Data: ages.csv (image-csv): 32 training and 8 test examples (shuffled 0.2 test split, seed 0), 48 features, a number to predict\n\
             Pictures: the files named in column `file`, resized to 4x4; target: column `age` (not read: `id`)\n\
             Target: age, a number to predict (its numbers have fractions; --task classify makes them classes)"
        ),
        "{}",
        pictures.stdout
    );
    let scores = ["Cost after", "Train R²", "Test R²"];
    let from_pictures = lines_starting(&pictures.stdout, &scores);
    assert_eq!(from_pictures.len(), 6, "{}", pictures.stdout);
    assert_eq!(from_pictures, lines_starting(&table.stdout, &scores));

    // The same values, to the last bit, from the pictures the CSV lists and from the table.
    let listed = ok(dnn_in(
        d,
        &["predict", "--model", "ages.h5", "ages.csv", "--output", "-"],
    ));
    let rows = ok(dnn_in(
        d,
        &["predict", "--model", "pixels.h5", "pixels.csv"],
    ));
    let values = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed.stdout.lines().next(), Some("file,value"));
    assert_eq!(
        listed.stdout.lines().nth(1).unwrap().split(',').next(),
        Some("faces/0.png")
    );
    assert_eq!(values(&listed.stdout).len(), EXAMPLES);
    assert_eq!(values(&listed.stdout), values(&rows.stdout));
    // One picture, for people: `file: value`.
    let one = ok(dnn_in(d, &["predict", "--model", "ages.h5", "faces/3.png"]));
    assert_eq!(
        one.stdout,
        format!("faces/3.png: {}\n", values(&listed.stdout)[3])
    );

    let evaluated = ok(dnn_in(
        d,
        &["evaluate", "--model", "ages.h5", "--data", "ages.csv"],
    ));
    assert!(
        evaluated
            .stdout
            .contains("the data ages.h5 was trained on (the same SHA-256)"),
        "{}",
        evaluated.stdout
    );
    assert_eq!(
        lines_starting(&evaluated.stdout, &["Train R²", "Test R²"]),
        lines_starting(&pictures.stdout, &["Train R²", "Test R²"])
    );
}

#[test]
fn classes_from_an_image_csv_are_scored_again_on_it_and_table_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("shots")).unwrap();
    let mut listed = String::from("picture;kind\n");
    for j in 0..30u8 {
        let kind = ["dark", "light"][usize::from(j % 2)];
        let shade = if j % 2 == 0 { 20 + j } else { 200 + j };
        image::RgbImage::from_pixel(5, 3, image::Rgb([shade, shade / 2, 9]))
            .save(d.join(format!("shots/{j}.PNG")))
            .unwrap();
        listed.push_str(&format!("shots/{j}.PNG;{kind}\n"));
    }
    std::fs::write(d.join("shots.csv"), listed).unwrap();
    let trained = ok(dnn_in(
        d,
        &[
            "train",
            "--data",
            "shots.csv",
            "--image-size",
            "3",
            "--hidden",
            "4",
            "--learning-rate",
            "0.5",
            "--iterations",
            "300",
            "-q",
            "--save",
            "shots.h5",
        ],
    ));
    assert!(
        trained.stdout.contains("Test accuracy: 1.000000"),
        "{}",
        trained.stdout
    );
    let evaluated = ok(dnn_in(
        d,
        &["evaluate", "--model", "shots.h5", "--data", "shots.csv"],
    ));
    assert!(
        evaluated
            .stdout
            .contains("in its parts again\nTrain accuracy: 1.000000 (24 of 24 correct)"),
        "{}",
        evaluated.stdout
    );

    let refused = dnn_in(d, &["train", "--data", "shots.csv", "--drop", "x", "-q"]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert_eq!(
        refused.stderr,
        "error: --drop names CSV columns, but --data shots.csv is read as an image CSV, whose inputs are the pictures it lists; give --format csv to read it as a table\n"
    );
}
