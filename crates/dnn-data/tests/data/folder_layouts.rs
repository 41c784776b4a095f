//! Image folders as users have them: hidden files and folders, symlinks, empty class folders,
//! train/test layouts with a class missing, and pictures with an EXIF orientation.

use std::collections::HashSet;
use std::path::Path;

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::image::{read_picture_as, read_picture_bytes, ImageLimits};
use dnn_data::{DataError, Dataset};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

/// Side of the test pictures; loading at this size keeps every PNG pixel for pixel.
const SIDE: u32 = 8;

fn opts() -> LoadOptions {
    LoadOptions {
        picture_size: (SIDE, SIDE),
        ..LoadOptions::default()
    }
}

/// `n` PNG pictures in `dir`, each one different: red `shade`, green its number.
fn pngs(dir: &Path, n: usize, shade: u8) {
    std::fs::create_dir_all(dir).unwrap();
    for j in 0..n {
        RgbImage::from_pixel(SIDE, SIDE, Rgb([shade, j as u8, 7]))
            .save(dir.join(format!("{j:03}.png")))
            .unwrap();
    }
}

/// The `(red, green)` of every picture of both parts, which tell the pictures apart.
fn pictures(data: &Dataset) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    for images in [&data.train_images, &data.test_images] {
        let images = images.as_ref().unwrap();
        for picture in images.outer_iter() {
            out.push((picture[[0, 0, 0]], picture[[0, 0, 1]]));
        }
    }
    out
}

/// Every picture once: as many as `expected`, none twice.
fn assert_each_once(data: &Dataset, expected: usize) {
    let all = pictures(data);
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), expected, "{all:?}");
    assert_eq!(distinct.len(), expected, "a picture read twice: {all:?}");
}

fn load_err(dir: &Path) -> String {
    match load(dir, &opts()) {
        Ok(d) => panic!("{} loaded: {:?}", dir.display(), d.source),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s}");
            s
        }
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_walked_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("colours");
    pngs(&root.join("blue"), 5, 0);
    pngs(&root.join("red"), 5, 200);
    std::fs::write(root.join("red").join("notes"), "not a picture").unwrap();
    // The loop: red/self is red, and red/self/self, and so on.
    symlink(".", root.join("red").join("self")).unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["blue", "red"]);
    assert_each_once(&data, 10);
    // Only `notes`, once, however many ways lead to it.
    assert_eq!(data.source.skipped_files, 1);
}

#[cfg(unix)]
#[test]
fn links_up_to_the_data_folder_or_into_another_class_are_not_followed() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("colours");
    pngs(&root.join("apricot"), 5, 200);
    pngs(&root.join("blue"), 5, 0);
    // In the class listed first, so that following them would read blue's pictures as
    // apricot's.
    symlink("..", root.join("apricot").join("up")).unwrap();
    symlink("../blue", root.join("apricot").join("blues")).unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["apricot", "blue"]);
    assert_each_once(&data, 10);
    let labels: Vec<usize> = data
        .train_labels
        .iter()
        .chain(&data.test_labels)
        .copied()
        .collect();
    for ((red, _), k) in pictures(&data).into_iter().zip(labels) {
        assert_eq!(usize::from(red == 0), k, "a picture in the wrong class");
    }
}

#[cfg(unix)]
#[test]
fn linked_class_folders_subfolders_and_pictures_still_load_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let elsewhere = d.path().join("elsewhere");
    pngs(&elsewhere.join("green"), 3, 100);
    pngs(&elsewhere.join("more_green"), 2, 120);
    pngs(&elsewhere.join("loose"), 1, 150);
    let linked = d.path().join("linked");
    pngs(&linked.join("yellow"), 4, 50);
    symlink(elsewhere.join("green"), linked.join("green")).unwrap();
    symlink(
        elsewhere.join("more_green"),
        linked.join("green").join("sub"),
    )
    .unwrap();
    symlink(
        elsewhere.join("loose").join("000.png"),
        linked.join("yellow").join("loose.png"),
    )
    .unwrap();
    // A second name for a picture of the same class: the same file, read once.
    symlink("000.png", linked.join("yellow").join("again.png")).unwrap();
    let data = load(&linked, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["green", "yellow"]);
    assert_each_once(&data, 10);
    assert_eq!(data.source.skipped_files, 0);
}

#[cfg(unix)]
#[test]
fn a_picture_linked_into_both_parts_is_read_once_into_training() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("set");
    pngs(&root.join("train").join("a"), 3, 10);
    pngs(&root.join("train").join("b"), 3, 20);
    pngs(&root.join("test").join("a"), 2, 30);
    pngs(&root.join("test").join("b"), 2, 40);
    symlink(
        root.join("train").join("a").join("000.png"),
        root.join("test").join("a").join("copy.png"),
    )
    .unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_eq!((data.train_len(), data.test_len()), (6, 4));
    assert_each_once(&data, 10);
}

#[test]
fn hidden_files_and_folders_are_skipped_below_the_class_folders_too() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("colours");
    pngs(&root.join("blue"), 5, 0);
    pngs(&root.join("red"), 5, 200);
    // Jupyter's copies: pictures, but not to be trained on twice.
    pngs(&root.join("red").join(".ipynb_checkpoints"), 3, 99);
    // Deeper down, and a whole hidden tree.
    pngs(&root.join("red").join("more").join(".cache"), 2, 98);
    std::fs::create_dir_all(root.join("blue").join(".git")).unwrap();
    std::fs::write(root.join("blue").join(".git").join("HEAD"), "ref").unwrap();
    // The Finder's own file, in every folder it showed: not the user's, so not counted.
    std::fs::write(root.join("blue").join(".DS_Store"), "Bud1").unwrap();
    std::fs::write(root.join("red").join("more").join(".DS_Store"), "Bud1").unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_each_once(&data, 10);
    assert!(pictures(&data).iter().all(|&(r, _)| r == 0 || r == 200));
    assert_eq!(data.source.skipped_files, 0);
    assert!(data.source.unread.is_empty(), "{:?}", data.source.unread);
}

#[test]
fn folders_and_pictures_in_no_class_folder_are_listed_as_unread() {
    let d = tempfile::tempdir().unwrap();
    // Keras' three parts: dnn reads train/ and test/ only.
    let root = d.path().join("split");
    for (k, part) in ["train", "test", "validation"].into_iter().enumerate() {
        pngs(&root.join(part).join("blue"), 3, k as u8);
        pngs(&root.join(part).join("red"), 3, 200 + k as u8);
    }
    pngs(&root.join("train"), 1, 50);
    std::fs::write(root.join("README.txt"), "about these pictures").unwrap();
    std::fs::create_dir_all(root.join(".cache")).unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_each_once(&data, 12);
    assert_eq!(
        data.source.unread,
        [root.join("train").join("000.png"), root.join("validation")]
    );
    // One folder of class folders, with a picture beside them.
    let root = d.path().join("flat");
    pngs(&root.join("blue"), 5, 0);
    pngs(&root.join("red"), 5, 200);
    pngs(&root, 2, 50);
    let data = load(&root, &opts()).unwrap();
    assert_each_once(&data, 10);
    assert_eq!(
        data.source.unread,
        [root.join("000.png"), root.join("001.png")]
    );
}

#[test]
fn macos_appledouble_files_are_skipped_not_decoded() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("colours");
    pngs(&root.join("blue"), 5, 0);
    pngs(&root.join("red"), 5, 200);
    // What macOS leaves on a FAT or network drive: metadata, under the picture's name.
    let apple_double = [
        0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, b'M', b'a', b'c',
    ];
    std::fs::write(root.join("red").join("._000.png"), apple_double).unwrap();
    std::fs::write(root.join("blue").join("._001.JPG"), apple_double).unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_each_once(&data, 10);
}

#[test]
fn an_empty_class_folder_is_an_error_that_names_it() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("colours");
    pngs(&root.join("blue"), 5, 0);
    pngs(&root.join("red"), 5, 200);
    std::fs::create_dir_all(root.join("green")).unwrap();
    let err = load_err(&root);
    assert_eq!(
        err,
        format!(
            "{}: the class folder holds no .png, .jpg or .jpeg pictures (hidden files are skipped); add pictures to it or remove it",
            root.join("green").display()
        )
    );
    // Only hidden pictures is no pictures.
    std::fs::write(root.join("green").join("._x.png"), "metadata").unwrap();
    assert!(load_err(&root).contains("green: the class folder holds no"));
    // The same under train/ of the train + test layout.
    let split = d.path().join("split");
    pngs(&split.join("train").join("a"), 3, 10);
    pngs(&split.join("train").join("b"), 3, 20);
    std::fs::create_dir_all(split.join("train").join("c")).unwrap();
    pngs(&split.join("test").join("a"), 2, 30);
    let err = load_err(&split);
    assert!(
        err.starts_with(&format!(
            "{}: the class folder holds no",
            split.join("train").join("c").display()
        )),
        "{err}"
    );
}

#[test]
fn a_class_missing_or_empty_under_test_has_no_test_examples() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("set");
    pngs(&root.join("train").join("blue"), 3, 10);
    pngs(&root.join("train").join("green"), 3, 20);
    pngs(&root.join("train").join("red"), 3, 30);
    // test/ has blue, an empty green and no red at all.
    pngs(&root.join("test").join("blue"), 2, 40);
    std::fs::create_dir_all(root.join("test").join("green")).unwrap();
    let data = load(&root, &opts()).unwrap();
    assert_eq!(data.spec.classes, ["blue", "green", "red"]);
    assert_eq!((data.train_len(), data.test_len()), (9, 2));
    assert_eq!(data.test_labels, [0, 0]);
    assert_each_once(&data, 11);
}

#[test]
fn a_train_folder_without_a_test_folder_says_what_to_do() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("set");
    pngs(&root.join("train").join("a"), 3, 10);
    pngs(&root.join("train").join("b"), 3, 20);
    let err = load_err(&root);
    assert_eq!(
        err,
        format!(
            "{}: has a train/ folder of class folders but no test/ folder; add {} with the same class folders, or give --data {} to have a test part split off it",
            root.display(),
            root.join("test").display(),
            root.join("train").display()
        )
    );
    // What it says works.
    let data = load(root.join("train"), &opts()).unwrap();
    assert_eq!(data.spec.classes, ["a", "b"]);
    // test/ alone likewise.
    let only_test = d.path().join("only_test");
    pngs(&only_test.join("test").join("a"), 3, 10);
    assert!(
        load_err(&only_test).contains("has a test/ folder of class folders but no train/ folder")
    );
    // A single class that happens to be called `train` (pictures, no class folders) is still
    // the one-class error.
    let trains = d.path().join("vehicles");
    pngs(&trains.join("train"), 3, 10);
    assert!(load_err(&trains).contains("every training example is of class `train`"));
    // Keras' and torchvision's train/ + val/ is not two classes named so.
    let keras = d.path().join("keras");
    pngs(&keras.join("train").join("a"), 3, 10);
    pngs(&keras.join("train").join("b"), 3, 20);
    pngs(&keras.join("val").join("a"), 2, 10);
    let err = load_err(&keras);
    assert!(
        err.contains("has train/ and val/ folders of class folders")
            && err.contains("rename val/ to test/"),
        "{err}"
    );
}

/// The EXIF block of a JPEG (the TIFF structure after `Exif\0\0`), big-endian, holding only
/// the orientation tag (0x0112) with `value`.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut v = b"MM\0\x2a".to_vec();
    v.extend_from_slice(&8u32.to_be_bytes()); // the first IFD, right after this header
    v.extend_from_slice(&1u16.to_be_bytes()); // one entry
    v.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    v.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    v.extend_from_slice(&1u32.to_be_bytes()); // one value
    v.extend_from_slice(&value.to_be_bytes());
    v.extend_from_slice(&[0, 0]); // padding of the 4-byte value field
    v.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    v
}

/// A JPEG as a phone stores a portrait photo: 32 wide and 16 high, left half red and right
/// half blue, with EXIF orientation 6 (turn 90 degrees clockwise to display): shown 16 wide
/// and 32 high, red on top.
fn phone_jpeg() -> Vec<u8> {
    let stored = RgbImage::from_fn(32, 16, |x, _| {
        if x < 16 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let mut bytes = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 95);
    encoder.set_exif_metadata(exif_orientation(6)).unwrap();
    encoder
        .write_image(stored.as_raw(), 32, 16, image::ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

/// Whether the `(height, width, 3)` picture is red on top and blue below.
fn red_on_top(pixels: &ndarray::ArrayView3<'_, u8>) -> bool {
    let (h, w) = (pixels.shape()[0], pixels.shape()[1]);
    let top = pixels.slice(ndarray::s![h / 8, w / 2, ..]).to_vec();
    let bottom = pixels.slice(ndarray::s![h - 1 - h / 8, w / 2, ..]).to_vec();
    top[0] > 200 && top[2] < 60 && bottom[0] < 60 && bottom[2] > 200
}

#[test]
fn a_jpeg_with_an_exif_orientation_is_turned_as_displayed() {
    let d = tempfile::tempdir().unwrap();
    let jpeg = phone_jpeg();
    let path = d.path().join("portrait.jpg");
    std::fs::write(&path, &jpeg).unwrap();
    let limits = ImageLimits::DEFAULT;
    // As `dnn predict` reads it, at its displayed size and at a square size.
    for (w, h) in [(16, 32), (8, 8), (64, 64)] {
        let pixels = read_picture_as(&path, w, h, 3, &limits).unwrap();
        assert_eq!(pixels.shape(), [h as usize, w as usize, 3]);
        assert!(red_on_top(&pixels.view()), "{w}x{h}: {pixels:?}");
        // As the server reads an upload.
        let upload = read_picture_bytes(&jpeg, "upload", w, h, 3, &limits).unwrap();
        assert_eq!(upload, pixels);
    }
    // As a training folder reads it.
    let root = d.path().join("photos");
    for (class, n) in [("a", 3), ("b", 3)] {
        std::fs::create_dir_all(root.join(class)).unwrap();
        for j in 0..n {
            std::fs::write(root.join(class).join(format!("{j}.jpg")), &jpeg).unwrap();
        }
    }
    let data = load(
        &root,
        &LoadOptions {
            picture_size: (32, 16),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    for images in [&data.train_images, &data.test_images] {
        for picture in images.as_ref().unwrap().outer_iter() {
            assert!(red_on_top(&picture), "{picture:?}");
        }
    }
}

#[test]
fn a_truncated_jpeg_is_a_decode_error_as_a_truncated_png_is() {
    let d = tempfile::tempdir().unwrap();
    // Large enough that half of it is in the compressed pixels, past the headers.
    let picture = RgbImage::from_fn(256, 192, |x, y| {
        Rgb([(x * 4) as u8, (y * 5) as u8, (x * y % 251) as u8])
    });
    let path = d.path().join("photo.jpg");
    picture.save(&path).unwrap();
    let whole = std::fs::read(&path).unwrap();
    let limits = ImageLimits::DEFAULT;
    // Cut in its headers: the decoder's own error, on one line.
    std::fs::write(&path, &whole[..200]).unwrap();
    let e = read_picture_as(&path, 64, 48, 3, &limits).unwrap_err();
    assert!(matches!(e, DataError::ImageDecode { .. }), "{e:?}");
    assert!(!e.to_string().contains('\n'), "{e:?}");
    // Cut in its pixels.
    for cut in [whole.len() / 2, whole.len() - 2] {
        std::fs::write(&path, &whole[..cut]).unwrap();
        let e = read_picture_as(&path, 64, 48, 3, &limits).unwrap_err();
        assert!(
            matches!(e, DataError::ImageDecode { .. }),
            "cut {cut}: {e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "{}: cannot decode the JPEG image: the file ends before the JPEG end-of-image marker, so it is truncated (an interrupted copy or download?); copy it again or remove it",
                path.display()
            )
        );
        let e = read_picture_bytes(&whole[..cut], "upload", 64, 48, 3, &limits).unwrap_err();
        assert!(e.to_string().contains("so it is truncated"), "{e}");
    }
    // Whole, and with data appended after its end (as some cameras do), it loads; the EXIF
    // JPEG too.
    let mut appended = whole.clone();
    appended.extend_from_slice(b"trailer written by a camera");
    for bytes in [whole, appended, phone_jpeg()] {
        std::fs::write(&path, &bytes).unwrap();
        read_picture_as(&path, 16, 16, 3, &limits).unwrap();
    }
    // In a training folder, the truncated picture is named.
    let root = d.path().join("photos");
    pngs(&root.join("a"), 3, 10);
    pngs(&root.join("b"), 3, 20);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(root.join("b").join("cut.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    let err = load_err(&root);
    assert!(
        err.contains("b/cut.jpg: cannot decode the JPEG image"),
        "{err}"
    );
}
