//! Image CSVs: a table naming each example's picture file, with its class or a number to
//! predict. Listed in an image folder's order, the pictures make the folder's data set; a
//! number per picture is split as a table's target is; what is missing or listed twice is
//! refused with its row. Listed by bare names from another folder (`--image-dir`,
//! `--image-suffix`: Kaggle's layouts), they make the data set of their full names.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{detect_format, detect_format_for, load, LoadOptions};
use dnn_data::fingerprint::files_sha256;
use dnn_data::image_csv::{listed_pictures, picture_column, PictureNames};
use dnn_data::{DataError, Dataset, Format, Input, Parts};
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

/// Where the names are taken from: `--image-dir dir`, `--image-suffix suffix`.
fn names(dir: Option<&Path>, suffix: Option<&str>) -> PictureNames {
    PictureNames {
        dir: dir.map(Path::to_path_buf),
        suffix: suffix.map(str::to_owned),
    }
}

/// `opts()` with the names taken as `names` say.
fn named(names: PictureNames) -> LoadOptions {
    LoadOptions {
        picture_names: names,
        ..opts()
    }
}

/// Kaggle's dog-breed layout under `root`: `train/<id>.jpg` (JPEG, as Kaggle's), and
/// `labels.csv` listing them by bare id (`id,breed`), not in the folder's order; and
/// `full.csv`, the same rows naming each picture by its path from `root` (`file,breed`).
fn dog_breeds(root: &Path) -> (PathBuf, PathBuf) {
    let (mut ids, mut full) = (String::from("id,breed\n"), String::from("file,breed\n"));
    for j in 0..24u8 {
        // Ids as Kaggle's are: hex, in no order the folder would list them in.
        let id = format!("{:08x}", u32::from(j).wrapping_mul(2_654_435_761));
        let breed = ["boston_bull", "dingo", "pekinese"][usize::from(j % 3)];
        let path = root.join(format!("train/{id}.jpg"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        RgbImage::from_fn(SIDE, SIDE, |x, y| Rgb([9 * j, 40 * x as u8, 30 * y as u8]))
            .save(&path)
            .unwrap();
        ids.push_str(&format!("{id},{breed}\n"));
        full.push_str(&format!("train/{id}.jpg,{breed}\n"));
    }
    (
        write(&root.join("labels.csv"), &ids),
        write(&root.join("full.csv"), &full),
    )
}

#[test]
fn kaggles_bare_ids_with_an_image_dir_and_a_suffix_make_the_data_set_of_their_full_names() {
    let dir = tempfile::tempdir().unwrap();
    let (labels, full) = dog_breeds(dir.path());
    let kaggle = names(Some(&dir.path().join("train")), Some(".jpg"));
    // Bare ids end in no picture's extension: a table, unless the names say otherwise.
    assert_eq!(detect_format(&labels).unwrap(), Format::Csv);
    assert_eq!(
        detect_format_for(&labels, &kaggle).unwrap(),
        Format::ImageCsv
    );
    let from_ids = load(&labels, &named(kaggle.clone())).unwrap();
    let from_paths = load(&full, &opts()).unwrap();
    // Every matrix, label, picture and split bit for bit.
    assert_same_examples(&from_ids, &from_paths);
    assert_eq!(from_ids.spec.classes, ["boston_bull", "dingo", "pekinese"]);
    assert_eq!(from_ids.source.format, Format::ImageCsv);
    let columns = from_ids.source.image_csv.as_ref().unwrap();
    assert_eq!(
        (columns.pictures.as_str(), columns.target.as_str()),
        ("id", "breed")
    );
    assert_eq!(columns.names, kaggle);
    assert!(columns.also_pictures.is_empty());
    // The suffix alone finds the column in the table's folder, where the pictures are not.
    let err = load_err(&labels, &named(names(None, Some(".jpg"))));
    assert!(
        err.contains("no cell of its first row names a picture in ")
            && err.contains(" with --image-suffix .jpg appended (looked for ")
            && err.contains(&format!(
                "{}/train/{}.jpg is there: give --image-dir {}",
                dir.path().display(),
                &from_ids_first_id(&labels),
                dir.path().join("train").display()
            )),
        "{err}"
    );
    // `dnn predict`'s pictures: the same files, in the table's order.
    assert_eq!(
        listed_pictures(&labels, &kaggle).unwrap(),
        listed_pictures(&full, &PictureNames::default()).unwrap()
    );
}

/// The first id `labels.csv` lists.
fn from_ids_first_id(labels: &Path) -> String {
    let text = std::fs::read_to_string(labels).unwrap();
    let row = text.lines().nth(1).unwrap();
    row.split(',').next().unwrap().to_owned()
}

#[test]
fn full_names_in_a_sibling_folder_are_read_with_image_dir_and_a_missing_one_says_so() {
    // Kaggle's aerial-cactus layout: `train.csv` of `0004be2cfe.jpg,1` beside `train/`.
    let dir = tempfile::tempdir().unwrap();
    let (mut bare, mut full) = (
        String::from("id,has_cactus\n"),
        String::from("id,has_cactus\n"),
    );
    for j in 0..20u8 {
        let name = format!("{:04x}be2cfe.png", u32::from(j) * 4099);
        png(&dir.path().join("train").join(&name), [12 * j, 3, 200 - j]);
        bare.push_str(&format!("{name},{}\n", j % 2));
        full.push_str(&format!("train/{name},{}\n", j % 2));
    }
    let cactus = write(&dir.path().join("train.csv"), &bare);
    let listed = write(&dir.path().join("listed.csv"), &full);
    let sibling = names(Some(&dir.path().join("train")), None);
    let from_sibling = load(&cactus, &named(sibling.clone())).unwrap();
    assert_same_examples(&from_sibling, &load(&listed, &opts()).unwrap());
    assert_eq!(from_sibling.source.image_csv.unwrap().names, sibling);
    // Without --image-dir: the first row's picture is not beside the table, and the error
    // says where it is and what reads it.
    let first = bare.lines().nth(1).unwrap().split(',').next().unwrap();
    let err = load_err(&cactus, &opts());
    assert!(
        err.ends_with(&format!(
            "row 1 (line 2), column `id`: no picture at {} (an image CSV's names are taken from \
             its own folder, {}); {} is there: give --image-dir {}",
            dir.path().join(first).display(),
            dir.path().display(),
            dir.path().join("train").join(first).display(),
            dir.path().join("train").display()
        )),
        "{err}"
    );
    // With it, a picture missing in a later row names its row and the full path looked at.
    std::fs::remove_file(
        dir.path()
            .join("train")
            .join(bare.lines().nth(5).unwrap().split(',').next().unwrap()),
    )
    .unwrap();
    let err = load_err(&cactus, &named(sibling));
    let gone = bare.lines().nth(5).unwrap().split(',').next().unwrap();
    assert!(
        err.ends_with(&format!(
            "row 5 (line 6), column `id`: no picture at {} (names are taken from --image-dir {})",
            dir.path().join("train").join(gone).display(),
            dir.path().join("train").display()
        )),
        "{err}"
    );
}

#[test]
fn the_sha256_covers_the_pictures_of_the_image_dir_read_and_is_unchanged_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = String::from("id,label\n");
    for j in 0..10u8 {
        png(&d.join(format!("a/{j}.png")), [j, 1, 2]);
        png(&d.join(format!("b/{j}.png")), [j, 1, 3]);
        png(&d.join(format!("{j}.png")), [j, 1, 2]);
        rows.push_str(&format!("{j},{}\n", ["x", "y"][usize::from(j % 2)]));
    }
    let labels = write(&d.join("labels.csv"), &rows);
    let sha = |dir: Option<&Path>| {
        load(&labels, &named(names(dir, Some(".png"))))
            .unwrap()
            .source
            .sha256
            .unwrap()
    };
    let (from_a, from_b) = (sha(Some(&d.join("a"))), sha(Some(&d.join("b"))));
    // Other pictures (one channel of each differs): another SHA-256.
    assert_ne!(from_a, from_b);
    // The same bytes under the same names, elsewhere: the same data.
    assert_eq!(from_a, sha(None));
    // Without --image-dir it is the SHA-256 of the table's folder over the table and its
    // pictures, as before the flags: models saved then still know their data.
    let files: Vec<PathBuf> = std::iter::once(labels.clone())
        .chain((0..10).map(|j| d.join(format!("{j}.png"))))
        .collect();
    assert_eq!(sha(None), files_sha256(d, &files).unwrap());
    // A model trained on `a` is scored on `a` in its parts, on `b` whole.
    let own = |dir: &Path| LoadOptions {
        parts: Parts::SplitIfSha256(from_a.clone()),
        ..named(names(Some(dir), Some(".png")))
    };
    assert!(!load(&labels, &own(&d.join("a"))).unwrap().source.whole);
    assert!(load(&labels, &own(&d.join("b"))).unwrap().source.whole);
}

#[test]
fn a_suffix_that_is_no_pictures_extension_and_names_for_data_that_lists_no_pictures_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    png(&d.join("pics/a.png"), [1, 2, 3]);
    let list = write(&d.join("list.csv"), "id,y\na,1\n");
    for (suffix, said) in [
        (
            ".txt",
            "--image-suffix `.txt` does not end in .png, .jpg or .jpeg; it is appended",
        ),
        (
            "png",
            "--image-suffix `png` does not end in .png, .jpg or .jpeg (`.png`?)",
        ),
        (
            "",
            "--image-suffix `` does not end in .png, .jpg or .jpeg; ",
        ),
    ] {
        let err = load_err(&list, &named(names(Some(&d.join("pics")), Some(suffix))));
        assert!(err.contains(said), "{suffix:?}: {err}");
    }
    // A plain table: --image-dir and --image-suffix are named, not ignored.
    let plain = write(&d.join("plain.csv"), "x,label\n1.5,a\n2.5,b\n");
    let err = load_err(&plain, &named(names(Some(&d.join("pics")), None)));
    assert!(
        err.contains("has no column of picture file names")
            && err.contains("--image-dir, the folder of an image CSV's pictures, does not apply"),
        "{err}"
    );
    let err = load_err(&plain, &named(names(None, Some(".png"))));
    assert!(
        err.contains(&format!(
            "no cell of its first row names a picture in {} with --image-suffix .png appended \
             (looked for {}, {}), so it cannot be read as an image CSV",
            d.display(),
            d.join("1.5.png").display(),
            d.join("a.png").display()
        )),
        "{err}"
    );
    let as_table = LoadOptions {
        format: Some(Format::Csv),
        ..named(names(None, Some(".png")))
    };
    let err = load_err(&plain, &as_table);
    assert!(
        err.ends_with(
            "--image-suffix names the pictures an image CSV lists, but this is read as csv"
        ),
        "{err}"
    );
    let folder = load_err(&d.join("pics"), &named(names(Some(&d.join("pics")), None)));
    assert!(
        folder.ends_with(
            "--image-dir names the pictures an image CSV lists, but this is read as image-folder"
        ),
        "{folder}"
    );
    let err = load_err(&list, &named(names(Some(&d.join("nowhere")), Some(".png"))));
    assert!(
        err.contains("nowhere: no such folder: --image-dir names the folder"),
        "{err}"
    );
    // Names without their extension, read with the folder alone: the suffix is hinted at.
    let err = load_err(&list, &named(names(Some(&d.join("pics")), None)));
    assert!(
        err.ends_with(&format!(
            "; {} is there: give --image-suffix .png",
            d.join("pics/a.png").display()
        )),
        "{err}"
    );
    // Names with their extension, read with a suffix: leaving it out is hinted at.
    let full = write(&d.join("full.csv"), "id,y\na.png,1\n");
    let err = load_err(&full, &named(names(Some(&d.join("pics")), Some(".png"))));
    assert!(
        err.ends_with(&format!(
            "; {} is there: leave out --image-suffix",
            d.join("pics/a.png").display()
        )),
        "{err}"
    );
}

#[test]
fn with_a_suffix_the_pictures_are_the_first_column_naming_a_file_and_the_others_are_told() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = String::from("kind,front,back\n");
    for j in 0..8u8 {
        png(&d.join(format!("{j}f.png")), [j, 0, 0]);
        png(&d.join(format!("{j}b.png")), [0, j, 0]);
        rows.push_str(&format!("{},{j}f,{j}b\n", ["p", "q"][usize::from(j % 2)]));
    }
    let list = write(&d.join("both.csv"), &rows);
    let options = LoadOptions {
        target: Some("kind".into()),
        ..named(names(None, Some(".png")))
    };
    let data = load(&list, &options).unwrap();
    let columns = data.source.image_csv.unwrap();
    assert_eq!(columns.pictures, "front");
    assert_eq!(columns.also_pictures, ["back"]);
    assert_eq!(
        picture_column(&list, &names(None, Some(".png"))).as_deref(),
        Some("front")
    );
    // A guess that names a file in the first row only fails at the first row that does not.
    let mut rows = String::from("kind,front\n");
    for j in 0..8u8 {
        let name = if j == 0 {
            "0f".to_owned()
        } else {
            format!("x{j}")
        };
        rows.push_str(&format!("{},{name}\n", ["p", "q"][usize::from(j % 2)]));
    }
    let list = write(&d.join("one.csv"), &rows);
    let err = load_err(&list, &options);
    assert!(
        err.contains(&format!(
            "row 2 (line 3), column `front`: no picture at {} (an image CSV's names are taken \
             from its own folder, {}, with --image-suffix .png appended)",
            d.join("x1.png").display(),
            d.display()
        )),
        "{err}"
    );
}
