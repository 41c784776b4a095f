//! A folder of pictures, one subfolder per class, as torchvision's `ImageFolder` and Keras'
//! `image_dataset_from_directory` read it: `DIR/<class>/*.png|jpg|jpeg`, or
//! `DIR/train/<class>/…` with `DIR/test/<class>/…`.
//!
//! As torchvision's `datasets/folder.py`: [`find_classes`] gives the sorted subfolder names,
//! [`make_dataset`] lists `(path, class)` pairs filtered by extension (searching each class
//! folder recursively, in sorted order), and loading is a separate step: every picture is
//! decoded (on every core), converted to RGB and resized to the requested size with the
//! triangle filter (a picture already of that size is kept pixel for pixel), then flattened
//! as the cat set is and divided by 255.
//!
//! What a folder of pictures from a phone, a Mac or a notebook holds besides pictures:
//! - hidden files and folders (name starting with `.`: `.DS_Store`, macOS' `._photo.jpg`,
//!   `.ipynb_checkpoints/`) are skipped at every level, and not counted with the other
//!   skipped files (those without an image extension);
//! - folders and pictures in no class folder (a `validation/` beside `train/` and `test/`, a
//!   picture beside the class folders) are not read, and [`Source::unread`] lists them;
//! - links are followed, but every folder is listed once and every picture read once, by
//!   their canonical paths: a link back up (`ln -s . self`) is not walked again and a picture
//!   reached twice (even once under `train/` and once under `test/`) is not read twice, so it
//!   cannot land in both parts;
//! - a class folder without pictures is an error (it would make a class that no example
//!   has), except under `test/` of the `train/` + `test/` layout, where a missing or empty
//!   class folder means that class has no test examples;
//! - a folder whose only subfolder is `train/` (or `test/`) is an error that says to add the
//!   other part or to point at `train/` itself.

use dnn_core::Float;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ndarray::{Array2, Array4, ArrayView2};
use rayon::prelude::*;

use crate::classes::{self, ClassChoice};
use crate::dataset::{
    pick_images, split_or_keep, DataSpec, Dataset, Format, Input, LoadOptions, Rows, Source,
};
use crate::error::{DataError, Result};
use crate::image::{read_picture_rgb, ImageLimits};

/// The extensions of the pictures an image folder may hold (compared case-insensitively).
pub const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// The sorted names of the subfolders of `dir` (hidden ones, starting with `.`, left out).
///
/// # Errors
/// [`DataError::Io`] if `dir` cannot be listed.
pub fn find_classes(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.path().is_dir() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Whether `path` ends in one of [`IMAGE_EXTENSIONS`].
pub fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

/// The pictures of every class folder `dir/<classes[k]>`, as `(path, k)` pairs in class
/// order and, within a class, sorted by path; and the number of files skipped because they
/// have no image extension.
///
/// Each class folder is searched recursively, following links; hidden files and folders
/// (name starting with `.`) are skipped, every folder is listed once and every picture taken
/// once, by canonical path (see the [module docs](self)).
///
/// # Errors
/// [`DataError::Io`] if a folder cannot be listed.
pub fn make_dataset(dir: &Path, classes: &[String]) -> Result<(Vec<(PathBuf, usize)>, usize)> {
    let mut walk = Walk::default();
    walk.enter(dir, classes)?;
    let mut out = Vec::new();
    for (k, class) in classes.iter().enumerate() {
        out.extend(walk.pictures(&dir.join(class))?.into_iter().map(|p| (p, k)));
    }
    Ok((out, walk.skipped))
}

/// What a search of class folders has met, kept across all of them (and across `train/` and
/// `test/`) so that links cannot make it list a folder twice or take a picture twice: a link
/// loop (`ln -s . self`) was walked 40 levels deep, reading the same pictures into both parts.
#[derive(Default)]
struct Walk {
    /// Canonical paths of the folders listed, or to be listed as a class folder.
    dirs: HashSet<PathBuf>,
    /// Canonical paths of the pictures taken.
    pictures: HashSet<PathBuf>,
    /// Files without an image extension (hidden ones not counted).
    skipped: usize,
}

impl Walk {
    /// Marks `dir` and its class folders as listed before any is searched, so that a link
    /// inside one class folder to the data folder or to another class folder is not
    /// followed: its pictures belong to their own class, not to the one the link is in.
    fn enter(&mut self, dir: &Path, classes: &[String]) -> Result<()> {
        for d in std::iter::once(dir.to_path_buf()).chain(classes.iter().map(|c| dir.join(c))) {
            if d.is_dir() {
                self.dirs
                    .insert(std::fs::canonicalize(&d).map_err(|e| io(&d, e))?);
            }
        }
        Ok(())
    }

    /// The pictures under the class folder `root` not met before, sorted by path.
    fn pictures(&mut self, root: &Path) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).map_err(|e| io(&d, e))? {
                let entry = entry.map_err(|e| io(&d, e))?;
                // Hidden: `.ipynb_checkpoints/` copies, macOS' `._x.png` AppleDouble files
                // (metadata under a picture's name), `.git/`.
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                let path = entry.path();
                if path.is_dir() {
                    if !hidden {
                        let real = std::fs::canonicalize(&path).map_err(|e| io(&path, e))?;
                        if self.dirs.insert(real) {
                            stack.push(path);
                        }
                    }
                } else if hidden {
                    // `.DS_Store` and the like are the system's, not the user's: not counted.
                } else if !has_image_extension(&path) {
                    self.skipped += 1;
                } else {
                    // A dangling link keeps its own path: decoding it names it.
                    let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                    if self.pictures.insert(real) {
                        files.push(path);
                    }
                }
            }
        }
        files.sort();
        Ok(files)
    }
}

/// The folders and pictures of the data folder `dir` that are in no class folder, sorted:
/// pictures directly in `dir` (or in `train/` or `test/`), and, in the `train/` + `test/`
/// layout, the other folders beside those two (a `validation/`, say). Hidden entries and
/// other files (a README, a labels file) are left out.
fn outside_class_folders(dir: &Path, split_layout: bool) -> Result<Vec<PathBuf>> {
    let mut unread = Vec::new();
    let parts: &[&str] = if split_layout {
        &["", "train", "test"]
    } else {
        &[""]
    };
    for part in parts {
        let folder = dir.join(part);
        for entry in std::fs::read_dir(&folder).map_err(|e| io(&folder, e))? {
            let entry = entry.map_err(|e| io(&folder, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            let top_folder = part.is_empty() && split_layout && path.is_dir();
            let picture = !path.is_dir() && has_image_extension(&path);
            if !name.starts_with('.')
                && (picture || top_folder && name != "train" && name != "test")
            {
                unread.push(path);
            }
        }
    }
    unread.sort();
    Ok(unread)
}

fn io(path: &Path, e: std::io::Error) -> DataError {
    DataError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// The bytes that `count` pictures of `height x width` take decoded (3 bytes a pixel) with
/// the 8-byte features made from them, both held at once while the data set is built.
fn pictures_bytes(count: usize, height: u32, width: u32) -> Option<u128> {
    let pixels = (count as u128)
        .checked_mul(u128::from(height))?
        .checked_mul(u128::from(width))?;
    pixels.checked_mul(3 * (1 + 8))
}

/// Refuses `count` pictures of `height x width` that cannot fit in memory
/// ([`pictures_bytes`]), before any is decoded (a folder of 300,000 pictures at
/// `--image-size 1024` would need 8.5 TB).
pub(crate) fn check_pictures_fit(dir: &Path, count: usize, height: u32, width: u32) -> Result<()> {
    crate::dataset::ensure_fits(dir, pictures_bytes(count, height, width), || {
        format!(
            "its {count} pictures at {width}x{height} need more memory than this machine can \
             hold (their bytes and their features); use a smaller --image-size or fewer pictures"
        )
    })
}

/// Decodes `files` into `(m, height, width, 3)` bytes, on every core. The first damaged
/// picture in list order is the error, whichever thread met it.
///
/// # Errors
/// Every error of [`crate::image::read_picture`], naming the file.
pub fn decode_all(files: &[PathBuf], height: u32, width: u32) -> Result<Array4<u8>> {
    let (h, w) = (height as usize, width as usize);
    let per = h * w * 3;
    let mut bytes = vec![0u8; files.len() * per];
    let results: Vec<Result<()>> = bytes
        .par_chunks_mut(per.max(1))
        .zip(files.par_iter())
        .map(|(slot, path)| {
            let pixels = read_picture_rgb(path, width, height, &ImageLimits::DEFAULT)?;
            slot.copy_from_slice(pixels.as_slice().unwrap_or(&[]));
            Ok(())
        })
        .collect();
    results.into_iter().collect::<Result<()>>()?;
    Array4::from_shape_vec((files.len(), h, w, 3), bytes).map_err(|e| DataError::BadSource {
        path: files.first().cloned().unwrap_or_default(),
        problem: e.to_string(),
    })
}

/// Decoded pictures split into the two parts of a data set ([`picture_parts`]).
pub(crate) struct PictureParts<X> {
    pub train_x: Array2<X>,
    pub test_x: Array2<X>,
    pub train_images: Array4<u8>,
    pub test_images: Array4<u8>,
}

/// The pictures `images`, `(m, height, width, 3)` bytes, as the training part's (indices
/// `train`) and the test part's inputs (bytes / 255, one column per picture, flattened as
/// the cat set is) and pictures; `images` is freed before returning. `path` names the data
/// in an error: matrices too large for the machine.
pub(crate) fn picture_parts<X: Float>(
    path: &Path,
    images: Array4<u8>,
    train: &[usize],
    test: &[usize],
) -> Result<PictureParts<X>> {
    let bad = |problem: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    };
    let (m, h, w, c) = images.dim();
    let rows: ArrayView2<'_, u8> = images
        .view()
        .into_shape_with_order((m, h * w * c))
        .map_err(|e| bad(e.to_string()))?;
    let train_x = Rows::Bytes(rows).columns(train).map_err(bad)?;
    let test_x = Rows::Bytes(rows).columns(test).map_err(bad)?;
    Ok(PictureParts {
        train_x,
        test_x,
        train_images: pick_images(&images, train),
        test_images: pick_images(&images, test),
    })
}

/// Loads the image folder `dir` (see the [module docs](self)).
///
/// # Errors
/// [`DataError::BadSource`] for no class subfolders or no pictures, the class errors
/// ([`DataError::SingleClass`], [`DataError::ClassMismatch`]), the picture errors (a damaged
/// picture names its file), [`DataError::BadSplit`].
pub fn load<X: Float>(dir: &Path, options: &LoadOptions) -> Result<Dataset<X>> {
    let split_layout = dir.join("train").is_dir() && dir.join("test").is_dir();
    let (height, width) = options.picture_size;
    crate::image::check_size(dir, width, height)?;
    let train_dir = if split_layout {
        dir.join("train")
    } else {
        dir.to_path_buf()
    };
    let natural = find_classes(&train_dir)?;
    // `DIR/train` alone (or `DIR/test` alone) is half of the split layout, not one class
    // named `train`: say so, rather than "every training example is of class `train`".
    if !split_layout {
        // Keras' and torchvision's `train/` + `val/`: two classes named so, unless said.
        if let [a, b] = natural.as_slice() {
            let val = [a, b]
                .into_iter()
                .find(|c| matches!(c.as_str(), "val" | "valid" | "validation"));
            if let Some(val) = val.filter(|_| a == "train" || b == "train") {
                if !find_classes(&dir.join("train"))?.is_empty() {
                    return Err(DataError::BadSource {
                        path: dir.to_path_buf(),
                        problem: format!(
                            "has train/ and {val}/ folders of class folders, but dnn reads the \
                             test part from {}: rename {val}/ to test/, or give --data {} to \
                             have a test part split off it",
                            dir.join("test").display(),
                            dir.join("train").display()
                        ),
                    });
                }
            }
        }
        if let [only] = natural.as_slice() {
            let (part, other) = match only.as_str() {
                "train" => ("train", "test"),
                "test" => ("test", "train"),
                _ => ("", ""),
            };
            if !part.is_empty() && !find_classes(&dir.join(part))?.is_empty() {
                return Err(DataError::BadSource {
                    path: dir.to_path_buf(),
                    problem: format!(
                        "has a {part}/ folder of class folders but no {other}/ folder; add \
                         {} with the same class folders, or give --data {} to have a test \
                         part split off it",
                        dir.join(other).display(),
                        dir.join(part).display()
                    ),
                });
            }
        }
    }
    if natural.is_empty() {
        return Err(DataError::BadSource {
            path: dir.to_path_buf(),
            problem: "no class subfolders: an image folder holds one subfolder of pictures per class (DIR/<class>/*.png|jpg|jpeg, or DIR/train/<class>/... and DIR/test/<class>/...)".into(),
        });
    }
    // One walk for both parts: a picture linked into both is read once, into training.
    let mut walk = Walk::default();
    walk.enter(&train_dir, &natural)?;
    let mut test_classes = Vec::new();
    if split_layout {
        let test_dir = dir.join("test");
        test_classes = find_classes(&test_dir)?;
        if let Some(extra) = test_classes.iter().find(|c| !natural.contains(c)) {
            return Err(DataError::ClassMismatch {
                path: test_dir.clone(),
                problem: format!(
                    "the class folder `{extra}` is not among the training classes ({})",
                    natural.join(", ")
                ),
            });
        }
        walk.enter(&test_dir, &test_classes)?;
        // The data folder too, so that a link back up to it is not walked.
        walk.enter(dir, &[])?;
    }
    let mut per_class = Vec::with_capacity(natural.len());
    for class in &natural {
        per_class.push(walk.pictures(&train_dir.join(class))?);
    }
    if per_class.iter().all(Vec::is_empty) {
        return Err(DataError::BadSource {
            path: train_dir.clone(),
            problem: format!(
                "the class folders ({}) hold no .png, .jpg or .jpeg pictures",
                natural.join(", ")
            ),
        });
    }
    // An empty class folder would make a class no example has (a binary problem trained as
    // three classes); `classes::require_two` cannot see it, as every label is of another class.
    if let Some(k) = per_class.iter().position(Vec::is_empty) {
        return Err(DataError::BadSource {
            path: train_dir.join(&natural[k]),
            problem: "the class folder holds no .png, .jpg or .jpeg pictures (hidden files \
                      are skipped); add pictures to it or remove it"
                .into(),
        });
    }
    let files: Vec<(PathBuf, usize)> = per_class
        .into_iter()
        .enumerate()
        .flat_map(|(k, v)| v.into_iter().map(move |p| (p, k)))
        .collect();
    let mut test_files = Vec::new();
    if split_layout {
        // A class folder missing under test/ is a class without test examples, as an empty
        // one is: the training part decides the classes.
        let test_dir = dir.join("test");
        for (k, class) in natural.iter().enumerate() {
            if test_classes.contains(class) {
                let found = walk.pictures(&test_dir.join(class))?;
                test_files.extend(found.into_iter().map(|p| (p, k)));
            }
        }
    }
    let skipped = walk.skipped;
    let unread = outside_class_folders(dir, split_layout)?;
    let labels_of = |v: &[(PathBuf, usize)]| v.iter().map(|(_, k)| *k).collect::<Vec<_>>();
    let (mut train_labels, mut test_labels) = (labels_of(&files), labels_of(&test_files));
    let seen = classes::seen(natural.len(), &[&train_labels, &test_labels]);
    let (names, map) = classes::resolve(dir, &natural, &seen, &options.classes)?;
    classes::remap(&mut train_labels, &map);
    classes::remap(&mut test_labels, &map);
    if !matches!(options.classes, ClassChoice::Among(_)) {
        classes::require_two(&train_dir, &names, &train_labels)?;
    }

    // Decode every picture once, into one byte array; the split picks its examples from it.
    let all: Vec<PathBuf> = files
        .iter()
        .chain(&test_files)
        .map(|(p, _)| p.clone())
        .collect();
    let m_train = files.len();
    check_pictures_fit(dir, all.len(), height, width)?;
    let sha256 = crate::fingerprint::files_sha256(dir, &all)?;
    let options = &options.resolved(&sha256);
    let images = decode_all(&all, height, width)?;
    let (train_idx, test_idx, split, train_labels, test_labels) = if split_layout {
        (
            (0..m_train).collect::<Vec<_>>(),
            (m_train..all.len()).collect::<Vec<_>>(),
            None,
            train_labels,
            test_labels,
        )
    } else {
        let (tr, te, spec) = split_or_keep(dir, &train_labels, names.len(), options, None)?;
        let pick = |idx: &[usize]| idx.iter().map(|&i| train_labels[i]).collect::<Vec<_>>();
        let (a, b) = (pick(&tr), pick(&te));
        (tr, te, spec, a, b)
    };
    // Read whole, the training pictures are test pictures too.
    if test_idx.is_empty() && !options.whole() {
        return Err(DataError::BadSource {
            path: dir.join("test"),
            problem: "the test class folders hold no .png, .jpg or .jpeg pictures".into(),
        });
    }
    let (h, w) = (height as usize, width as usize);
    let PictureParts {
        train_x,
        test_x,
        train_images,
        test_images,
    } = picture_parts(dir, images, &train_idx, &test_idx)?;
    Ok(Dataset {
        train_x,
        train_labels,
        train_values: Vec::new(),
        test_x,
        test_labels,
        test_values: Vec::new(),
        spec: DataSpec {
            ranges: None,
            classes: names,
            regression: None,
            input: Input::Picture {
                height: h,
                width: w,
                channels: 3,
            },
            standardization: None,
        },
        source: Source {
            format: Format::ImageFolder,
            path: dir.to_path_buf(),
            split,
            skipped_files: skipped,
            unread,
            unseen: Vec::new(),
            text_counts: Vec::new(),
            numeric_inputs: false,
            sha256: Some(sha256),
            whole: options.whole(),
            left_out_columns: Vec::new(),
            image_csv: None,
            table_warnings: Vec::new(),
            decimal_comma: false,
            parse_numbers: false,
            groups: None,
        },
        train_images: Some(train_images),
        test_images: Some(test_images),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_that_cannot_fit_in_memory_are_refused_before_decoding() {
        assert_eq!(
            pictures_bytes(1000, 64, 32),
            Some(1000 * 64 * 32 * (3 + 3 * 8))
        );
        assert_eq!(pictures_bytes(300_000, 1024, 1024), Some(8_493_465_600_000));
        assert_eq!(pictures_bytes(usize::MAX, u32::MAX, u32::MAX), None);
        let dir = Path::new("pictures");
        assert!(check_pictures_fit(dir, 1000, 64, 64).is_ok());
        let err = check_pictures_fit(dir, 300_000, 1024, 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pictures: its 300000 pictures at 1024x1024 need more memory than this machine can hold (their bytes and their features); use a smaller --image-size or fewer pictures"
        );
        assert!(check_pictures_fit(dir, usize::MAX, u32::MAX, u32::MAX).is_err());
    }
}
