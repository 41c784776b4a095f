//! Data read whole (`LoadOptions::whole`, for scoring a model on data it was not trained
//! on): every example in the test part in the source's order, nothing split off, a source's
//! own training part before its test part; and the SHA-256 that tells one data set from
//! another (`Source::sha256`), checked against coreutils' `sha256sum`.

use std::path::Path;
use std::process::Command;

use dnn_data::dataset::{load, LoadOptions, Parts};
use dnn_data::{TargetScale, Task};
use image::{Rgb, RgbImage};

use crate::tables::{table, write};

fn whole() -> LoadOptions {
    LoadOptions {
        parts: Parts::Whole,
        ..LoadOptions::default()
    }
}

/// The row numbers of a part's examples (its `x` row).
fn rows(x: &ndarray::Array2<f64>) -> Vec<usize> {
    x.row(0).iter().map(|&v| v as usize).collect()
}

/// What coreutils' `sha256sum` says of `path`.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success(), "sha256sum {}", path.display());
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// A directory's digest as the format says, computed by `sha256sum`: of each file's relative
/// name, a NUL and its own digest's 32 bytes.
fn directory_sha256sum(root: &Path, names: &[&str]) -> String {
    let mut bytes = Vec::new();
    for name in names {
        let own = sha256sum(&root.join(name));
        bytes.extend(name.as_bytes());
        bytes.push(0);
        bytes.extend((0..32).map(|i| u8::from_str_radix(&own[2 * i..2 * i + 2], 16).unwrap()));
    }
    let listing = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(listing.path(), bytes).unwrap();
    sha256sum(listing.path())
}

#[test]
fn a_table_read_whole_is_every_row_in_order_in_the_test_part() {
    let dir = tempfile::tempdir().unwrap();
    // Two classes, one of a single row.
    let path = write(
        dir.path(),
        "t.csv",
        &table(7, |r| if r == 3 { "b" } else { "a" }.into()),
    );
    let data = load(&path, &whole()).unwrap();
    assert_eq!(data.train_len(), 0);
    assert_eq!(rows(&data.test_x), (0..7).collect::<Vec<_>>());
    assert_eq!(data.test_labels, [0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(data.source.split, None, "nothing was split off");
    assert_eq!(
        data.source.sha256.as_deref(),
        Some(sha256sum(&path).as_str())
    );
    // Split as usual, the same file has the same digest, and one changed byte changes it.
    let split = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!((split.train_len(), split.test_len()), (6, 1));
    assert_eq!(split.source.sha256, data.source.sha256);
    let other = write(
        dir.path(),
        "u.csv",
        &table(7, |r| if r == 4 { "b" } else { "a" }.into()),
    );
    let changed = load(&other, &whole()).unwrap().source.sha256.unwrap();
    assert_ne!(Some(changed), data.source.sha256);
}

#[test]
fn what_a_training_part_would_fit_is_fitted_on_every_row_unless_given() {
    let dir = tempfile::tempdir().unwrap();
    // A regression (fractions) with a text column.
    let path = write(
        dir.path(),
        "r.csv",
        "colour,x,price\nred,1,1.5\ngreen,2,2.5\nblue,3,3.5\nred,4,6.5\n",
    );
    let data = load(&path, &whole()).unwrap();
    assert_eq!(data.test_values, [1.5, 2.5, 3.5, 6.5]);
    let scale = data.spec.regression.unwrap();
    // numpy: np.mean([1.5, 2.5, 3.5, 6.5]), np.std(..., ddof=0)
    assert_eq!(scale.mean, 3.5);
    assert_eq!(scale.std, 1.8708286933869707);
    let dnn_data::Input::Table { one_hot, .. } = &data.spec.input else {
        panic!("a table")
    };
    assert_eq!(
        one_hot[0].values,
        ["blue", "green", "red"],
        "every row's values"
    );
    // A model's scale is kept as given.
    let given = TargetScale {
        mean: 2.0,
        std: 4.0,
    };
    let options = LoadOptions {
        task: Task::Regress,
        target_scale: Some(given),
        ..whole()
    };
    assert_eq!(load(&path, &options).unwrap().spec.regression, Some(given));
}

/// A `train/` + `test/` image folder of two classes; pictures told apart by their red.
fn picture_folder(root: &Path) {
    for (part, class, red) in [
        ("train", "cat", 10u8),
        ("train", "cat", 11),
        ("train", "dog", 12),
        ("test", "cat", 13),
        ("test", "dog", 14),
    ] {
        let folder = root.join(part).join(class);
        std::fs::create_dir_all(&folder).unwrap();
        RgbImage::from_pixel(2, 2, Rgb([red, 0, 0]))
            .save(folder.join(format!("{red}.png")))
            .unwrap();
    }
}

#[test]
fn a_folders_own_parts_are_joined_training_part_first_pictures_in_step() {
    let dir = tempfile::tempdir().unwrap();
    picture_folder(dir.path());
    let options = LoadOptions {
        picture_size: (2, 2),
        ..whole()
    };
    let data = load(dir.path(), &options).unwrap();
    assert_eq!(data.train_len(), 0);
    assert_eq!(data.test_labels, [0, 0, 1, 0, 1]);
    let reds: Vec<u8> = data
        .test_images
        .as_ref()
        .unwrap()
        .outer_iter()
        .map(|p| p[[0, 0, 0]])
        .collect();
    assert_eq!(reds, [10, 11, 12, 13, 14]);
    let first_feature: Vec<f64> = data.test_x.row(0).to_vec();
    assert_eq!(
        first_feature,
        reds.iter()
            .map(|&r| f64::from(r) / 255.0)
            .collect::<Vec<_>>()
    );
    assert_eq!(data.train_images.as_ref().unwrap().dim().0, 0);
}

#[test]
fn a_folders_digest_follows_its_pictures_and_names_not_where_it_lies() {
    let digest = |root: &Path| {
        let options = LoadOptions {
            picture_size: (2, 2),
            ..LoadOptions::default()
        };
        load(root, &options).unwrap().source.sha256.unwrap()
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    picture_folder(a.path());
    picture_folder(b.path());
    let first = digest(a.path());
    let names = [
        "train/cat/10.png",
        "train/cat/11.png",
        "train/dog/12.png",
        "test/cat/13.png",
        "test/dog/14.png",
    ];
    assert_eq!(first, directory_sha256sum(a.path(), &names));
    assert_eq!(digest(b.path()), first, "the same pictures elsewhere");
    // Renamed, edited, added: each is other data.
    let cat = b.path().join("test/cat");
    std::fs::rename(cat.join("13.png"), cat.join("13b.png")).unwrap();
    let renamed = digest(b.path());
    assert_ne!(renamed, first);
    RgbImage::from_pixel(2, 2, Rgb([99, 0, 0]))
        .save(cat.join("13b.png"))
        .unwrap();
    let edited = digest(b.path());
    assert_ne!(edited, renamed);
    RgbImage::from_pixel(2, 2, Rgb([98, 0, 0]))
        .save(cat.join("15.png"))
        .unwrap();
    assert_ne!(digest(b.path()), edited);
}

#[test]
fn the_cat_set_read_whole_is_its_209_training_then_50_test_pictures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = dnn_data::locate_data_dir(root).unwrap_or_else(|e| panic!("{e}"));
    let parts = load(&dir, &LoadOptions::default()).unwrap();
    let data = load(&dir, &whole()).unwrap();
    assert_eq!((data.train_len(), data.test_len()), (0, 259));
    let joined = ndarray::concatenate(
        ndarray::Axis(1),
        &[parts.train_x.view(), parts.test_x.view()],
    )
    .unwrap();
    assert_eq!(data.test_x, joined);
    assert_eq!(
        data.test_labels,
        [parts.train_labels, parts.test_labels].concat()
    );
    let expected = directory_sha256sum(&dir, &["train_catvnoncat.h5", "test_catvnoncat.h5"]);
    assert_eq!(data.source.sha256.as_deref(), Some(expected.as_str()));
    assert_eq!(parts.source.sha256, data.source.sha256, "read whole or not");
}

#[test]
fn split_if_sha256_splits_the_data_of_that_digest_and_reads_any_other_whole() {
    let dir = tempfile::tempdir().unwrap();
    let trained = write(
        dir.path(),
        "a.csv",
        &table(20, |r| ["a", "b"][r % 2].into()),
    );
    let digest = load(&trained, &LoadOptions::default())
        .unwrap()
        .source
        .sha256
        .unwrap();
    let options = LoadOptions {
        parts: Parts::SplitIfSha256(digest.clone()),
        ..LoadOptions::default()
    };
    let again = load(&trained, &options).unwrap();
    assert_eq!(again, load(&trained, &LoadOptions::default()).unwrap());
    assert!(!again.source.whole);
    let new = write(
        dir.path(),
        "b.csv",
        &table(21, |r| ["a", "b"][r % 2].into()),
    );
    let scored = load(&new, &options).unwrap();
    assert!(scored.source.whole);
    assert_eq!((scored.train_len(), scored.test_len()), (0, 21));
    // A folder's own parts: kept for its digest, joined for another's.
    let pictures = tempfile::tempdir().unwrap();
    picture_folder(pictures.path());
    let options = LoadOptions {
        picture_size: (2, 2),
        parts: Parts::SplitIfSha256(digest),
        ..LoadOptions::default()
    };
    let other = load(pictures.path(), &options).unwrap();
    assert_eq!((other.train_len(), other.test_len()), (0, 5));
    let own = LoadOptions {
        parts: Parts::SplitIfSha256(other.source.sha256.clone().unwrap()),
        ..options
    };
    let kept = load(pictures.path(), &own).unwrap();
    assert_eq!((kept.train_len(), kept.test_len()), (3, 2));
}

#[test]
fn a_table_through_a_pipe_is_read_once_and_has_the_files_digest() {
    let dir = tempfile::tempdir().unwrap();
    let text = table(40, |r| ["a", "b"][r % 2].into());
    let file = write(dir.path(), "t.csv", &text);
    let fifo = dir.path().join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path and a plain mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let options = LoadOptions {
        format: Some(dnn_data::Format::Csv),
        ..LoadOptions::default()
    };
    let piped = load(&fifo, &options).unwrap();
    writer.join().unwrap();
    let from_file = load(&file, &options).unwrap();
    assert_eq!(piped.train_x, from_file.train_x, "every row, once");
    assert_eq!(piped.source.sha256, from_file.source.sha256);
}

#[test]
fn an_npz_regressions_own_parts_read_whole_are_scaled_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.npz");
    let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(&path).unwrap());
    let x = |m: usize, from: usize| {
        ndarray::Array2::from_shape_fn((m, 2), |(j, k)| (from + j + k) as f64 / 10.0)
    };
    w.add_array("x_train", &x(3, 0)).unwrap();
    w.add_array("y_train", &ndarray::array![1.5, 2.5, 3.5])
        .unwrap();
    w.add_array("x_test", &x(1, 3)).unwrap();
    w.add_array("y_test", &ndarray::array![6.5]).unwrap();
    w.finish().unwrap();
    let data = load(&path, &whole()).unwrap();
    assert_eq!((data.train_len(), data.test_len()), (0, 4));
    assert_eq!(data.test_values, [1.5, 2.5, 3.5, 6.5]);
    // numpy: np.mean and np.std of all four, as for the table above.
    let scale = data.spec.regression.unwrap();
    assert_eq!((scale.mean, scale.std), (3.5, 1.8708286933869707));
    assert_eq!(data.test_x.row(0).to_vec(), [0.0, 0.1, 0.2, 0.3]);
}
