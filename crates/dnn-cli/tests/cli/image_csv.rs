//! `dnn train`, `evaluate` and `predict` on an image CSV (a table naming each example's
//! picture file): a number per picture trains as a table of the same pixels does, bit for
//! bit; classes are scored again on the same data; `dnn predict` reads the pictures a CSV
//! lists. Kaggle's layouts, names without their folder or extension, read with `--image-dir`
//! and `--image-suffix`, train, score and predict as the same pictures listed by path.

use std::path::Path;

use crate::common::ok;
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

/// Kaggle's dog-breed layout in `dir`: `train/<id>.png` (picture `j`'s bytes) listed by bare
/// id in `labels.csv` (`id,breed`), and the same rows naming each picture by its path in
/// `full.csv` (`file,breed`).
fn write_dog_breeds(dir: &Path) {
    std::fs::create_dir_all(dir.join("train")).unwrap();
    let (mut ids, mut full) = (String::from("id,breed\n"), String::from("file,breed\n"));
    for j in 0..EXAMPLES {
        let id = format!("{:08x}", (j as u32).wrapping_mul(2_654_435_761));
        image::RgbImage::from_raw(SIDE, SIDE, bytes(j))
            .unwrap()
            .save(dir.join(format!("train/{id}.png")))
            .unwrap();
        let breed = ["boston_bull", "dingo"][usize::from(age(j) > 50.0)];
        ids.push_str(&format!("{id},{breed}\n"));
        full.push_str(&format!("train/{id}.png,{breed}\n"));
    }
    std::fs::write(dir.join("labels.csv"), ids).unwrap();
    std::fs::write(dir.join("full.csv"), full).unwrap();
}

fn failed(run: Run) -> String {
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    run.stderr
}

#[test]
fn kaggles_bare_ids_with_image_dir_and_suffix_train_evaluate_and_predict_as_their_full_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_dog_breeds(d);
    let kaggle = ["--image-dir", "train", "--image-suffix", ".png"];
    let common = [
        "--image-size",
        "4",
        "--hidden",
        "5",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--iterations",
        "60",
        "--print-every",
        "20",
    ];
    let train = |data: &str, save: &str, names: &[&str]| {
        ok(dnn_in(
            d,
            &[
                &["train", "--data", data, "--save", save],
                names,
                &common[..],
            ]
            .concat(),
        ))
    };
    let from_ids = train("labels.csv", "ids.h5", &kaggle);
    let from_paths = train("full.csv", "paths.h5", &[]);
    assert!(
        from_ids.stdout.starts_with(
            "Data: labels.csv (image-csv): 32 training and 8 test examples (stratified 0.2 test split, seed 0), 48 features, 2 classes\n\
             Pictures: the files named in column `id`, as train/<id>.png, resized to 4x4; target: column `breed`\n"
        ),
        "{}",
        from_ids.stdout
    );
    assert!(from_ids.stderr.is_empty(), "{}", from_ids.stderr);
    // The same split, costs and scores to the last digit printed.
    let scores = ["Cost after", "Train accuracy", "Test accuracy"];
    let lines = lines_starting(&from_ids.stdout, &scores);
    assert_eq!(lines.len(), 6, "{}", from_ids.stdout);
    assert_eq!(lines, lines_starting(&from_paths.stdout, &scores));

    // Scored again with the same flags: its own data, in its parts.
    let evaluate = |names: &[&str]| {
        dnn_in(
            d,
            &[
                &["evaluate", "--model", "ids.h5", "--data", "labels.csv"],
                names,
            ]
            .concat(),
        )
    };
    let again = ok(evaluate(&kaggle));
    assert!(
        again
            .stdout
            .contains("Data: labels.csv (image-csv): the data ids.h5 was trained on (the same SHA-256), in its parts again"),
        "{}",
        again.stdout
    );
    assert_eq!(
        lines_starting(&again.stdout, &["Train accuracy", "Test accuracy"]),
        lines_starting(&from_ids.stdout, &["Train accuracy", "Test accuracy"])
            .iter()
            .zip(["30 of 32", "6 of 8"])
            .map(|(line, n)| format!("{line} ({n} correct)"))
            .collect::<Vec<_>>()
    );
    // Without the flags: the model file's, for its own table.
    assert_eq!(ok(evaluate(&[])).stdout, again.stdout);
    let model = dnn_data::model::load_model(d.join("ids.h5")).unwrap();
    assert_eq!(
        (
            model.setup.image_dir.as_deref(),
            model.setup.image_suffix.as_deref()
        ),
        (Some("train"), Some(".png"))
    );
    // A model that records none reads the bare ids as a table: the error says which flags
    // read them.
    assert_eq!(
        failed(dnn_in(
            d,
            &["evaluate", "--model", "paths.h5", "--data", "labels.csv"]
        )),
        "error: paths.h5 takes 4x4x3 pictures but --data labels.csv is read as csv: give data \
         of that kind (it was trained on `full.csv`); if it lists pictures, train/00000000.png \
         is there: give --image-dir train --image-suffix .png\n"
    );

    // Other pictures under the same names (another --image-dir): other data, scored whole.
    // (`valid/`, after `train/`: a missing picture's hint names the first folder holding it.)
    std::fs::create_dir_all(d.join("valid")).unwrap();
    for entry in std::fs::read_dir(d.join("train")).unwrap() {
        let path = entry.unwrap().path();
        let mut picture = image::open(&path).unwrap().to_rgb8();
        picture.put_pixel(0, 0, image::Rgb([1, 2, 3]));
        picture
            .save(d.join("valid").join(path.file_name().unwrap()))
            .unwrap();
    }
    let other = ok(evaluate(&[
        "--image-dir",
        "valid",
        "--image-suffix",
        ".png",
    ]));
    assert!(
        other.stdout.contains(
            "Data: labels.csv (image-csv): not byte for byte the data ids.h5 was trained on \
             (`labels.csv`; its SHA-256 differs), so all 40 examples are scored as one part"
        ),
        "{}",
        other.stdout
    );
    // `dnn predict` reads the pictures the ids name: the predictions of the full names.
    let predict = |model: &str, table: &str, names: &[&str]| {
        ok(dnn_in(
            d,
            &[
                &["predict", "--model", model, table, "--output", "-"],
                names,
            ]
            .concat(),
        ))
        .stdout
    };
    let by_ids = predict("ids.h5", "labels.csv", &kaggle);
    assert_eq!(by_ids.lines().count(), EXAMPLES + 1, "{by_ids}");
    assert!(
        by_ids.starts_with("file,class,probability\ntrain/00000000.png,"),
        "{by_ids}"
    );
    assert_eq!(by_ids, predict("paths.h5", "full.csv", &[]));
    // Without the flags: the model file's.
    assert_eq!(by_ids, predict("ids.h5", "labels.csv", &[]));
    // Another table of ids: the model's suffix, but the pictures' folder is the table's
    // own unless given (Kaggle's test/ beside train/).
    std::fs::copy(d.join("labels.csv"), d.join("test.csv")).unwrap();
    assert_eq!(
        failed(dnn_in(d, &["predict", "--model", "ids.h5", "test.csv"])),
        "error: test.csv: no cell of its first row names a picture in the current folder with \
         --image-suffix .png appended (looked for 00000000.png, boston_bull.png), so it cannot \
         be read as an image CSV; train/00000000.png is there: give --image-dir train\n"
    );
    assert_eq!(
        predict("ids.h5", "test.csv", &["--image-dir", "train"]),
        by_ids
    );
    assert_eq!(
        failed(dnn_in(d, &["predict", "--model", "paths.h5", "labels.csv"])),
        "error: labels.csv is a CSV table, but paths.h5 takes 4x4x3 pictures: give it \
         pictures; if it lists pictures, train/00000000.png is there: give --image-dir train \
         --image-suffix .png\n"
    );
}

#[test]
fn full_names_in_a_sibling_folder_are_read_with_image_dir_and_a_missing_picture_says_so() {
    // Kaggle's aerial-cactus layout: `train.csv` of full file names beside `train/`.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_dog_breeds(d);
    let full = std::fs::read_to_string(d.join("full.csv")).unwrap();
    std::fs::write(d.join("train.csv"), full.replace("train/", "")).unwrap();
    let common = ["--image-size", "4", "--iterations", "30", "--hidden", "3"];
    let run = |data: &str, names: &[&str]| {
        ok(dnn_in(
            d,
            &[&["train", "--data", data, "-q"], names, &common[..]].concat(),
        ))
    };
    let sibling = run("train.csv", &["--image-dir", "train"]);
    assert_eq!(
        sibling.stdout.lines().nth(1),
        Some("Pictures: the files named in column `file`, as train/<file>, resized to 4x4; target: column `breed`")
    );
    let scores = ["Train accuracy", "Test accuracy"];
    assert_eq!(
        lines_starting(&sibling.stdout, &scores),
        lines_starting(&run("full.csv", &[]).stdout, &scores)
    );
    // A second column that names a picture in the first row: the first is taken, and told.
    let both: Vec<String> = full
        .lines()
        .map(|l| l.replacen(',', &format!(",{},", l.split(',').next().unwrap()), 1))
        .collect();
    let both = both.join("\n").replacen("file,file,", "file,copy,", 1);
    std::fs::write(d.join("both.csv"), both).unwrap();
    assert_eq!(
        run("both.csv", &[]).stderr.lines().next(),
        Some(
            "warning: the first row of both.csv names a picture in column `file` and in `copy`; \
             the pictures are the first such column's, `file` (put the other first if it holds \
             them)"
        )
    );
    let first = full.lines().nth(1).unwrap().split(',').next().unwrap();
    assert_eq!(
        failed(dnn_in(
            d,
            &[&["train", "--data", "train.csv"], &common[..]].concat()
        )),
        format!(
            "error: cannot load --data: train.csv: row 1 (line 2), column `file`: no picture at \
             {0} (an image CSV's names are taken from its own folder, the current folder); \
             train/{0} is there: give --image-dir train\n",
            first.trim_start_matches("train/")
        )
    );
}

#[test]
fn a_suffix_that_is_no_pictures_extension_and_the_flags_for_data_that_lists_no_pictures_are_refused(
) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_both(d);
    let usage = dnn_in(d, &["train", "--data", "ages.csv", "--image-suffix", "png"]);
    assert_eq!(usage.code, Some(2), "{usage:?}");
    assert_eq!(
        usage.stderr,
        "error: invalid value 'png' for '--image-suffix <SUFFIX>': does not end in .png, .jpg or \
         .jpeg (`.png`?); it is appended to every name an image CSV lists to make its picture's \
         file name (`.jpg` makes `0a1b` `0a1b.jpg`); see `dnn train --help`\n"
    );
    // A table of numbers: the flag is named, not ignored.
    std::fs::write(d.join("plain.csv"), "x,label\n1.5,a\n2.5,b\n").unwrap();
    assert_eq!(
        failed(dnn_in(
            d,
            &["train", "--data", "plain.csv", "--image-dir", "faces"]
        )),
        "error: cannot load --data: plain.csv: has no column of picture file names (its first \
         row's cell ending in .png, .jpg or .jpeg), so --image-dir, the folder of an image CSV's \
         pictures, does not apply to it; give --image-suffix if its names lack their extension, \
         or leave out --image-dir to read it as a table\n"
    );
    assert_eq!(
        failed(dnn_in(
            d,
            &[
                "train",
                "--data",
                "ages.csv",
                "--format",
                "csv",
                "--image-suffix",
                ".png"
            ]
        )),
        "error: --image-suffix completes the names of the pictures an image CSV lists, but \
         --data ages.csv is read as csv (as --format says); leave out --image-suffix\n"
    );
    assert_eq!(
        failed(dnn_in(
            d,
            &["train", "--data", "faces", "--image-dir", "faces"]
        )),
        "error: --image-dir names the folder of the pictures an image CSV lists, but --data \
         faces is read as image-folder; leave out --image-dir\n"
    );
    // `dnn predict`: a table model, or pictures given themselves.
    ok(dnn_in(
        d,
        &[
            "train",
            "--data",
            "pixels.csv",
            "--iterations",
            "2",
            "-q",
            "--save",
            "t.h5",
        ],
    ));
    assert_eq!(
        failed(dnn_in(
            d,
            &[
                "predict",
                "--model",
                "t.h5",
                "pixels.csv",
                "--image-dir",
                "faces"
            ]
        )),
        "error: --image-dir says where the pictures an image CSV lists are, but t.h5 takes a \
         table of 48 columns (p0, p1, p2, p3, p4, p5, p6, p7, ...), not pictures; leave out \
         --image-dir\n"
    );
    // `dnn serve` reads --data as `dnn train` does: without it the flags say nothing.
    assert_eq!(
        failed(dnn_in(
            d,
            &["serve", "--port", "0", "--image-suffix", ".png"]
        )),
        "error: --image-suffix says how to read --data, which is not given; add --data PATH\n"
    );
}
